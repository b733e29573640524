## Français (fr). Les mots de la console du personnel. Chaque message figure aussi dans
## locales/en/staff.ftl, avec les mêmes variables : un test de la passerelle (console::words)
## échoue sinon.

## Toutes les pages
console-name = Console des circulaires
skip-to-content = Aller au contenu principal
language-switch-label = Langue
nav-label = Console
page-title = { $page } – { console-name }
page-title-with-errors = Erreur : { $page } – { console-name }
signed-in-as = Connecté·e en tant que { $name }
sign-out = Se déconnecter
footer-text = Union internationale des télécommunications – console des circulaires pour le personnel
error-summary-title = Il y a un problème
error-prefix = Erreur :

## La page de connexion
sign-in-title = Se connecter
sign-in-intro = Connectez-vous avec le nom de compte et le mot de passe qu’un administrateur vous a donnés.
sign-in-name = Nom de compte
sign-in-name-hint = Lettres minuscules, chiffres, points et traits d’union, par exemple ana.silva
sign-in-password = Mot de passe
sign-in-submit = Se connecter

## Une requête refusée avant toute action
refused-title = Requête refusée
refused-cross-site = Ce formulaire a été envoyé depuis un autre site, et non depuis une page de cette console : rien n’a été fait.
refused-form-expired = Ce formulaire a expiré ou n’a pas été envoyé depuis votre session : rien n’a été fait.
refused-next-step = Revenez à la console, rechargez la page et envoyez à nouveau le formulaire.
refused-back = Revenir à la console
sign-in-name-missing = Saisissez votre nom de compte
sign-in-password-missing = Saisissez votre mot de passe
sign-in-wrong = Le nom de compte ou le mot de passe est incorrect
sign-in-too-many = Trop de tentatives de connexion : attendez une minute et réessayez
sign-in-disabled = Ce compte est désactivé : adressez-vous à un administrateur

## Pages après connexion
nav-circulars = Lettres circulaires
nav-new-circular = Nouvelle lettre circulaire
nav-directory = Répertoire
nav-accounts = Comptes
forbidden-title = Action non autorisée
# $role : drafter, approver, operator ou admin
forbidden-role = Votre compte ne peut pas faire cela : il faut le rôle { $role }.
failure-title = Une erreur est survenue
failure-text = Le serveur a échoué et rien n'a été modifié. Réessayez ; si l'erreur persiste, prévenez les opérateurs.

## L’annuaire (administrateurs ; les opérateurs cherchent et expliquent)
directory-title = Annuaire
directory-forbidden = Votre compte ne peut pas faire cela : il faut le rôle admin ou opérateur.
directory-search-label = Chercher dans l’annuaire
directory-search-hint = Une partie d’une adresse, du nom d’une personne, de la clé ou du nom d’un destinataire. Laissez vide pour lister tous les contacts.
directory-search-submit = Chercher
directory-import-link = Importer un fichier d’annuaire (CSV)
directory-no-results = Aucun contact ne correspond.
directory-results-caption = Contacts correspondant à « { $query } »
directory-results-all = Tous les contacts de l’annuaire
directory-col-address = Adresse
directory-col-name = Nom
directory-col-role = Fonction
directory-col-addressee = Destinataire
directory-col-addressee-name = Nom du destinataire
directory-col-status = Statut
directory-status-active = actif
directory-status-inactive = inactif
directory-pages-label = Pages de résultats
directory-previous = Page précédente
directory-next = Page suivante

## Une adresse
address-title = { $address }
address-back = Retour à l’annuaire
address-contacts = Ce qui est conservé sur cette adresse
address-contacts-caption = Contacts ayant l’adresse { $address }
address-no-contacts = L’annuaire ne contient aucun contact avec cette adresse.
address-col-categories = Catégories
address-col-language = Langue
address-col-source = Source
address-suppressed = Cette adresse ne reçoit aucune circulaire : exclue depuis { $detail }
address-subscriptions-caption = Choix de thèmes
address-col-topic = Thème
address-col-choice = Choix
address-col-set-by = Fait par
address-col-since = Depuis
address-subscribed = la reçoit
address-opted-out = désinscrite
address-circulars = Circulaires qui l’ont nommée
address-no-circulars = Aucune circulaire n’a nommé cette adresse.
address-circulars-caption = Circulaires dont l’audience figée nomme cette adresse
address-col-circular = Circulaire
address-col-list = Sur la liste
address-col-delivery = Envoi
address-listed = Sur la liste : { $reasons }
address-excluded = Écartée ({ $reason })
address-explain-title = Pourquoi est-elle, ou non, sur la liste d’une circulaire ?
address-explain-circular = Circulaire
address-explain-hint = Son identifiant, par exemple TSB-36
address-explain-submit = Expliquer
address-explanation = Explication
address-audit = Journal des modifications
address-audit-caption = Chaque modification concernant cette adresse, la plus ancienne d’abord
address-no-audit = Aucune modification de cette adresse n’est enregistrée.
address-col-when = Quand
address-col-who = Qui
address-col-action = Quoi
address-col-detail = Détail
address-actions = Ce que vous pouvez faire
address-json = Le même rapport en JSON
address-forget = Oublier cette personne…

## Importer un fichier d’annuaire
import-title = Importer un fichier d’annuaire
import-form-title = Envoyer un fichier
import-file = Fichier d’annuaire (CSV, UTF-8)
import-file-hint = Sa première ligne nomme les colonnes : { $columns }
import-dry-run-legend = Essai à blanc
import-dry-run = Seulement vérifier le fichier et dire ce qui changerait : ne rien enregistrer
import-submit = Envoyer le fichier
import-no-file = Choisissez un fichier CSV à envoyer
import-too-large = Le fichier est trop volumineux : la limite est de { $limit } octets ([gateway] max_request_bytes)
import-refused = Le fichier a été refusé et rien n’a été enregistré : { $count } problèmes, chacun listé ci-dessous avec sa ligne et sa colonne
import-problems-caption = Les problèmes de { $file }
import-col-line = Ligne
import-col-column = Colonne
import-col-field = Champ
import-col-problem = Problème
import-report-dry-run = Ce que l’import de { $file } changerait (essai à blanc : rien n’a été enregistré)
import-report-done = Ce que l’import de { $file } a changé
import-col-change = Changement
import-col-count = Nombre
import-addressees-created = Destinataires ajoutés
import-addressees-updated = Destinataires modifiés
import-contacts-created = Contacts ajoutés
import-contacts-updated = Contacts modifiés
import-subscriptions-changed = Choix de thèmes enregistrés
import-suppressions-added = Adresses désinscrites
import-unchanged = Lignes déjà conformes au fichier
import-kept = Les choix des destinataires eux-mêmes, que le fichier ne remplace pas
import-dry-run-done = Rien n’a été enregistré. Pour importer ce fichier, choisissez-le à nouveau ci-dessous, décochez « Essai à blanc » et envoyez-le : le serveur ne garde aucune copie de ce qui a été vérifié.

## Oublier une personne
forget-title = Oublier une personne
forget-question = Oublier tout ce qui concerne { $address } ?
forget-what = Ses contacts et ses choix de thèmes sont supprimés ; là où un enregistrement doit rester (audiences figées, envois, liste d’exclusion, journal), un pseudonyme à clé remplace l’adresse.
forget-final = C’est irréversible. C’est refusé tant qu’une circulaire est encore en cours d’envoi à cette adresse.
forget-development-key = La clé publique de développement est utilisée : n’importe qui peut retrouver l’adresse derrière ses pseudonymes. Configurez d’abord les clés [tokens].
forget-submit = Oublier cette personne
forget-cancel = Annuler
forget-done = La personne a été oubliée. Ce qui doit rester nomme désormais { $pseudonym }.

## Les comptes du personnel
accounts-title = Comptes
accounts-caption = Comptes du personnel
accounts-col-name = Nom
accounts-col-roles = Rôles
accounts-col-state = État
accounts-col-created = Créé
accounts-enabled = actif
accounts-disabled-since = désactivé depuis le { $when }
accounts-add-title = Ajouter un compte
accounts-name = Nom du compte
accounts-name-missing = Saisissez le nom du compte
accounts-roles-missing = Donnez au compte au moins un rôle (rédacteur, approbateur, opérateur, administrateur)
accounts-roles = Rôles
accounts-roles-hint = Cochez chaque rôle de la personne : au moins un.
accounts-add-submit = Ajouter le compte
role-drafter = Rédaction : rédige, prévisualise et soumet les circulaires
role-approver = Approbation : approuve ou renvoie ce que d’autres ont rédigé
role-operator = Exploitation : émet, suspend, reprend et annule ; lit tout
role-admin = Administration : comptes, jetons d’API et annuaire
accounts-added-title = Compte ajouté
accounts-added-intro = Le compte { $name } se connecte avec ce mot de passe à usage unique. Transmettez-le à la personne par un moyen sûr.
shown-once-warning = Il n’est affiché que cette fois : seule son empreinte est conservée.
shown-once-next = Continuer vers le compte
accounts-back = Retour aux comptes
accounts-not-found = Introuvable
accounts-refused = Non effectué
account-title = Compte { $name }
accounts-roles-submit = Changer les rôles
accounts-password = Mot de passe
accounts-password-hint = Un nouveau mot de passe est créé et affiché une fois ; les sessions du compte prennent fin.
accounts-password-submit = Réinitialiser le mot de passe
accounts-password-title = Mot de passe réinitialisé
accounts-password-intro = Le compte { $name } se connecte désormais avec ce mot de passe à usage unique. Transmettez-le à la personne par un moyen sûr.
accounts-disable-title = Désactiver le compte
accounts-disable-link = Désactiver ce compte…
accounts-disable-question = Désactiver le compte { $name } ?
accounts-disable-final = Il ne peut plus se connecter, ses sessions prennent fin et ses jetons d’API cessent de fonctionner. Un compte n’est jamais réactivé : ajoutez-en un nouveau au besoin.
accounts-disable-submit = Désactiver le compte
accounts-disable-cancel = Annuler
tokens-title = Jetons d’API
tokens-none = Ce compte n’a aucun jeton d’API.
tokens-caption = Jetons d’API de { $name }
tokens-col-label = Libellé
tokens-col-created = Créé
tokens-col-last-used = Dernier usage
tokens-col-state = État
tokens-col-action = Action
tokens-never-used = jamais
tokens-active = actif
tokens-revoked-since = révoqué depuis le { $when }
tokens-revoke = Révoquer
tokens-revoke-which = le jeton { $label }
tokens-label = Libellé d’un nouveau jeton
tokens-label-hint = À quoi il sert, par exemple « export nocturne »
tokens-create = Créer un jeton
tokens-created-title = Jeton d’API créé
tokens-created-intro = Ce jeton agit en tant que { $name }, avec ses rôles, envoyé comme « Authorization: Bearer <jeton> ». Copiez-le dans le système qui l’utilise.
