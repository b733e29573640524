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
forbidden-either-role = Votre compte ne peut pas faire cela : il faut le rôle { $role } ou le rôle { $other }.
failure-title = Une erreur est survenue
failure-text = Le serveur a échoué et rien n'a été modifié. Réessayez ; si l'erreur persiste, prévenez les opérateurs.

## Les pages des lettres circulaires (console::circulars) : la liste, la page d’une lettre circulaire, la diffusion, la distribution
circulars-title = Lettres circulaires
circulars-filter-state = État
circulars-filter-all = Tous les états
circulars-filter-button = Afficher
circulars-filter-label = Trouver des lettres circulaires
circulars-filter-text = Série, circulaire ou mots de son objet
circulars-filter-text-hint = Par exemple TSB, TSB-36 ou experts. Chaque mot doit être trouvé, dans n’importe quelle langue.
circulars-caption = Lettres circulaires, de la plus récemment modifiée à la plus ancienne – page { $page }
circulars-caption-in-state = Lettres circulaires à l’état « { $state } », de la plus récemment modifiée à la plus ancienne – page { $page }
circulars-caption-found = Lettres circulaires dont la cote ou l’objet contient « { $text } », de la plus récemment modifiée à la plus ancienne – page { $page }
circulars-caption-in-state-found = Lettres circulaires à l’état « { $state } » dont la cote ou l’objet contient « { $text } », de la plus récemment modifiée à la plus ancienne – page { $page }
circulars-empty = Il n’y a encore aucune lettre circulaire.
circulars-empty-found = Aucune lettre circulaire ne correspond : choisissez un autre état ou d’autres mots.
circulars-empty-page = Cette page se situe après la dernière lettre circulaire.
circulars-column-id = Circulaire
circulars-column-subject = Objet
circulars-column-state = État
circulars-column-revision = Révision
circulars-column-drafted-by = Rédigée par
circulars-column-updated = Dernière modification
circulars-pages-label = Pages de la liste
circulars-previous-page = Page précédente
circulars-next-page = Page suivante
circular-state-draft = Brouillon
circular-state-submitted = Soumise pour approbation
circular-state-approved = Approuvée
circular-state-issued = Diffusée
circular-state-paused = Suspendue
circular-state-cancelled = Annulée
circulars-language-ar = Arabe
circulars-language-zh = Chinois
circulars-language-en = Anglais
circulars-language-fr = Français
circulars-language-ru = Russe
circulars-language-es = Espagnol
circular-not-found-title = Lettre circulaire introuvable
circular-not-found = Il n’existe pas de lettre circulaire { $id }. Vérifiez l’adresse ou cherchez la lettre circulaire dans la liste.
back-to-circular = Revenir à la lettre circulaire

## La page d’une lettre circulaire
circular-title = Lettre circulaire { $id }
circular-fact-state = État
circular-fact-revision = Révision
circular-fact-reference = Référence
circular-fact-date = Date
circular-fact-categories = Destinataires
circular-fact-copy = Copie à
circular-fact-topic = Thème (les destinataires peuvent se désabonner)
circular-fact-contact = Contact
circular-contact-tel = tél. { $tel }
circular-fact-signatory = Signataire
circular-none = aucun
circular-fact-drafted-by = Rédigée par
circular-fact-edited-by = Dernière modification par
circular-fact-approved = Approuvée par
circular-not-approved = Non approuvée
circular-fact-issued = Diffusée le
circular-not-issued = Non diffusée
circular-link-edit = Modifier cette lettre circulaire
circular-link-preview = Prévisualiser les six versions linguistiques
circular-link-delivery = Voir sa distribution
circular-actions-title = Ce que vous pouvez faire
circular-actions-none = Votre compte n’a rien à faire sur cette lettre circulaire pour le moment.
step-submit = Soumettre pour approbation
step-submit-hint = Un approbateur l’approuvera ou vous la renverra. Toute modification ultérieure la ramène à l’état de brouillon.
step-approve = Approuver
# $revision : la révision affichée, que le formulaire transmet
step-approve-hint = Vous approuvez la révision { $revision } telle qu’elle est. Si quelqu’un la modifie avant que vous n’appuyiez sur le bouton, votre approbation sera refusée.
step-approve-own = Vous avez rédigé ou modifié en dernier { $id } : un autre approbateur doit l’approuver.
step-approve-no-revision = Le formulaire n’indiquait pas la révision approuvée : rechargez la page et approuvez à nouveau.
step-send-back = Renvoyer au rédacteur
send-back-comment = Que doit modifier le rédacteur ?
send-back-comment-hint = Le rédacteur lira ce commentaire dans l’historique de la lettre circulaire.
step-issue = Vérifier les destinataires et diffuser
step-issue-hint = La page suivante indique qui la recevrait aujourd’hui et vous demande de confirmer.
step-pause = Suspendre l’envoi
step-pause-hint = Les messages en cours d’envoi partent ; les autres attendent la reprise de l’envoi.
step-resume = Reprendre l’envoi
step-cancel = Annuler l’envoi
step-cancel-hint = Tous les messages non encore envoyés sont enregistrés comme annulés. Cette action est irréversible.
circular-history-title = Historique
circular-history-caption = Toutes les étapes de { $id }, de la plus ancienne à la plus récente
history-column-when = Quand
history-column-who = Qui
history-column-via = Depuis
history-column-what = Quoi
history-column-details = Détails
history-via-page = Console
history-via-api = API
history-via-cli = Ligne de commande
history-step-drafted = Rédigée
history-step-edited = Modifiée
history-step-submitted = Soumise pour approbation
history-step-approved = Approuvée
history-step-sent-back = Renvoyée au rédacteur
history-step-issued = Diffusée
history-step-paused = Suspendue
history-step-resumed = Reprise
history-step-cancelled = Annulée
history-revision = révision { $revision }
history-was = état précédent : { $state }
history-changed = champs modifiés : { $fields }
history-nothing-changed = aucune modification
history-comment = commentaire : « { $comment } »

## La diffusion, confirmée
issue-title = Diffuser { $id }
issue-lead = { $count ->
    [one] Diffusée maintenant, elle parviendrait à { $count } destinataire, d’après le répertoire tel qu’il est aujourd’hui.
   *[other] Diffusée maintenant, elle parviendrait à { $count } destinataires, d’après le répertoire tel qu’il est aujourd’hui.
}
issue-audience-caption = Destinataires par catégorie et par langue, en cas de diffusion immédiate
issue-overlap-note = Un destinataire qui relève de plusieurs catégories est compté dans chacune : la somme des lignes peut dépasser le total.
issue-excluded-caption = Adresses exclues, par motif
issue-nobody-excluded = Aucune adresse de ses catégories n’est exclue.
issue-hint = La liste des destinataires est figée lorsque vous appuyez sur le bouton, et les messages partent aussitôt.
issue-button = { $count ->
    [one] Diffuser à { $count } destinataire
   *[other] Diffuser à { $count } destinataires
}
issue-not-ready = Elle ne peut pas être diffusée maintenant : son état est « { $state } », et seule une lettre circulaire approuvée peut être diffusée.
table-total = Total
table-category = Catégorie
table-language = Langue
table-state = État
table-reason = Motif
table-addresses = Adresses
table-recipients = Destinataires
table-all-recipients = Tous les destinataires
exclusion-suppressed = Adresse bloquée
exclusion-inactive = Tous les contacts inactifs
exclusion-opted-out = Désabonnée du thème
exclusion-not-opted-in = Jamais abonnée au thème

## La distribution d’une lettre circulaire
delivery-title = Distribution de { $id }
delivery-not-issued = Cette lettre circulaire n’a pas été diffusée : aucun message n’a été envoyé.
delivery-freezing = La liste des destinataires est en cours de constitution.
delivery-progress = { $finished ->
    [one] { $finished } destinataire sur { $total } a un état final
   *[other] { $finished } destinataires sur { $total } ont un état final
}.
delivery-complete = { $total ->
    [one] Terminé : le destinataire a un état final.
   *[other] Terminé : les { $total } destinataires ont un état final.
}
delivery-fact-audience = Destinataires
delivery-audience = { $count ->
    [one] { $count } destinataire
   *[other] { $count } destinataires
} dans la liste figée ; adresses exclues : { $excluded }
delivery-fact-unconfirmed = Réponse perdue
delivery-unconfirmed = { $count ->
    [one] { $count } message envoyé : la réponse du relais s’est perdue après l’envoi, il a donc pu arriver deux fois
   *[other] { $count } messages envoyés : la réponse du relais s’est perdue après l’envoi, chacun a donc pu arriver deux fois
}
delivery-paused = Suspendue : plus rien n’est envoyé tant qu’un opérateur n’a pas repris l’envoi.
delivery-cancelled = Annulée : tous les messages non encore envoyés sont enregistrés comme annulés.
delivery-reload = Recompter (recharger cette page)
live-on = En direct : les chiffres ci-dessous suivent l’envoi au fur et à mesure.
live-lost = La connexion en direct a été perdue : nouvelle tentative…
live-too-many = Trop de pages en direct sont ouvertes depuis cette adresse : fermez-en et réessayez.
delivery-operate-title = Envoi
cancel-title = Annuler l’envoi de { $id } ?
cancel-lead = { $waiting ->
    [one] Un destinataire de { $id } n’a pas encore d’état final : son message ne sera pas envoyé et sera enregistré comme annulé. Les messages déjà envoyés le restent.
   *[other] { $waiting } destinataires de { $id } n’ont pas encore d’état final : leurs messages ne seront pas envoyés et seront enregistrés comme annulés. Les messages déjà envoyés le restent.
}
cancel-lead-unfrozen = La liste des destinataires de { $id } est encore en cours de constitution : rien n’en a été envoyé, et rien ne le sera.
cancel-keep-sending = Poursuivre l’envoi (retour à la page de distribution)
delivery-state-caption = Destinataires par état de distribution
delivery-language-caption = Destinataires par langue et par état de distribution
delivery-category-caption = Destinataires par catégorie et par état de distribution
delivery-state-queued = En attente d’envoi
delivery-state-sending = En cours d’envoi
delivery-state-sent = Envoyé
delivery-state-deferred = Différé (nouvel essai prévu)
delivery-state-failed = Échec
delivery-state-cancelled = Annulé
delivery-state-bounced = Retourné
delivery-state-complained = Signalé comme indésirable
delivery-returned-title = Messages retournés
delivery-returned-none = Aucun message n’est revenu.
delivery-returned-caption = Messages retournés, du plus récent au plus ancien
delivery-returned-more = Seuls les { $shown } plus récents sont affichés : `circulars status { $id } --json` les liste tous.
pace-title = Rythme
pace-rate = Débit
pace-rate-value = { $rate ->
    [one] { $rate } message par minute
   *[other] { $rate } messages par minute
} (sur les dernières minutes entières)
pace-time-left = Temps restant à ce débit
pace-time-left-value = { $minutes ->
    [one] environ une minute
   *[other] environ { $minutes } minutes
}
pace-retries = Différés, à retenter
pace-retries-value = { $count ->
    [one] { $count } message
   *[other] { $count } messages
} ; prochaine tentative prévue à { $next }
pace-retries-none = aucun
pace-complaints = Signalés comme indésirables
pace-chart-label = Messages parvenus à un état final, minute par minute sur la dernière heure : { $total } en tout, au plus { $peak } en une minute.
pace-failures-title = Échecs et rebonds
pace-failures-none = Aucun message n’a échoué ni rebondi.
pace-failures-caption = Les échecs et rebonds les plus récents, dans les mots des serveurs distants
returned-column-address = Adresse
returned-column-when = Quand
returned-column-what = Signification
returned-column-said = Réponse du serveur
returned-column-server = Serveur
returned-kind-permanent = Retourné
returned-kind-temporary = Retardé
returned-kind-complaint = Signalé comme indésirable
returned-kind-unsubscribe = Désabonnement par courriel

## Le formulaire de rédaction
language-ar = arabe
language-zh = chinois
language-en = anglais
language-fr = français
language-ru = russe
language-es = espagnol
draft-new-title = Nouvelle circulaire
# $id : la circulaire, par exemple TSB-36
draft-edit-title = Modifier { $id }
draft-intro = Indiquez les données de la circulaire et son texte dans les six langues, puis enregistrez-la comme projet. Enregistrer une circulaire soumise ou approuvée la ramène à l'état de projet.
draft-metadata = La circulaire
draft-series = Série
draft-series-hint = Lettres majuscules ou chiffres, par exemple TSB
draft-number = Numéro
draft-reference = Référence
draft-reference-hint = La ligne de référence, par exemple TSB Events/FW
draft-date = Date
draft-date-hint = Par exemple 2025-03-12
draft-signatory = Signataire
draft-topic = Thème
draft-topic-hint = Les destinataires peuvent se désabonner d'une circulaire qui a un thème ; une circulaire officielle n'en a pas.
draft-topic-none = Aucun (circulaire officielle)
draft-fallback-language = Langue par défaut
draft-fallback-language-hint = La langue des destinataires dont le contact n'en indique aucune
draft-archive = Archive publique
draft-archive-hint = Si chacun pourra la lire sous /circulars/ et dans les flux Atom une fois publiée
draft-archive-yes = Publiée une fois diffusée
draft-archive-no = Non publiée (envoyée seulement)
draft-contact = Le contact
draft-contact-name = Nom du contact
draft-contact-email = Adresse électronique du contact
draft-contact-tel = Téléphone du contact
draft-contact-fax = Télécopie du contact
draft-categories = Destinataires
draft-categories-hint = Cochez chaque catégorie à laquelle la circulaire est adressée.
draft-copy = Copie à
draft-copy-hint = Les catégories qui en reçoivent copie (aucune des destinataires).
draft-annex-files = Annexes
draft-annexes = Annexes conservées
draft-annexes-hint = Décochez une annexe pour la retirer.
# $files : les fichiers enregistrés, par exemple annex1.pdf, annex1.fr.pdf
draft-annex-stored = { $files }
draft-annex-all = Fichiers d'annexe pour toutes les langues
draft-annex-all-hint = Chaque fichier est une annexe, envoyée dans toute langue qui n'en a pas de version propre.
draft-texts = Le texte dans chaque langue
# $language : le nom de la langue, par exemple français
draft-text-legend = Texte en { $language }
draft-subject = Objet ({ $language })
draft-text-reference = Ligne de référence ({ $language })
draft-text-reference-hint = Seulement si elle diffère de la référence de la circulaire
draft-text-signatory = Nom du signataire ({ $language })
draft-text-contact-name = Nom du contact ({ $language })
draft-text-name-hint = Tel que cette langue l'écrit (李在摄, شاسوب لي) ; laisser vide pour imprimer la forme commune
draft-body = Corps ({ $language })
draft-body-hint = Markdown : paragraphes séparés par une ligne vide, listes avec « - ».
draft-annex-language = Fichiers d'annexe en { $language }
draft-annex-language-hint = Un fichier nommé comme l'annexe (ou comme annex1.fr.pdf) est la version de cette annexe dans cette langue.
draft-files-again = Les fichiers choisis n'ont pas été enregistrés : choisissez-les de nouveau avant d'enregistrer.
draft-save = Enregistrer le projet
# $id : la circulaire
draft-exists = { $id } existe déjà : changez le numéro, ou modifiez { $id } depuis sa page.
# $limit : octets
draft-too-large = Le formulaire dépasse la limite de { $limit } octets (gateway.max_request_bytes) : envoyez des fichiers plus petits ou moins nombreux.
draft-not-found-title = Introuvable
# $id : ce qui a été demandé
draft-unknown-circular = Il n'y a pas de circulaire { $id }.

## L'aperçu et les copies d'essai
# $id : la circulaire
preview-title = Aperçu de { $id }
preview-intro = Les six versions telles que les destinataires les reçoivent, adressées à un destinataire fictif.
preview-back = La page de la circulaire
preview-edit = Modifier le projet
# $language : le nom de la langue
preview-frame-title = La version en { $language }
preview-refused-title = Pas d'aperçu
test-copies-heading = M'envoyer une copie d'essai
test-copies-to = Votre adresse électronique
test-copies-to-hint = Les six versions sont envoyées à cette adresse, leur objet marqué [TEST COPY].
test-copies-send = Envoyer les six copies d'essai
# $id : la circulaire
test-copies-title = Copies d'essai de { $id }
test-copies-back = Retour à l'aperçu

## L’annuaire (administrateurs ; les opérateurs cherchent et expliquent)
directory-title = Annuaire
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

## The operations overview
nav-dashboard = Exploitation
overview-title = Exploitation
overview-progress = { $finished } sur { $total }
overview-sending-title = Lettres circulaires en cours de distribution
overview-sending-none = Aucune lettre circulaire n’est en cours d’envoi, et aucune n’a été terminée dans les dernières 24 heures.
overview-sending-caption = Lettres circulaires en cours d’envoi et celles terminées dans les dernières 24 heures, les plus récentes d’abord
overview-column-circular = Lettre circulaire
overview-column-subject = Objet
overview-column-state = État
overview-column-progress = Destinataires ayant un état final
overview-relays-title = Relais
overview-relays-caption = Les limites en vigueur de chaque relais et ses messages de la dernière minute, tous répartiteurs confondus
overview-column-relay = Relais
overview-column-rate = Débit maximal
overview-column-connections = Connexions au plus
overview-column-sent = Acceptés, dernière minute
overview-column-failed = Échoués, dernière minute
overview-column-dispatchers = Répartiteurs actifs
overview-rate = { $rate ->
    [one] { $rate } message par seconde
   *[other] { $rate } messages par seconde
}
overview-rate-none = aucune limite
overview-unmatched-title = Messages retournés sans envoi correspondant
overview-unmatched-count = { $count ->
    [0] Aucun message retourné n’est resté sans correspondance.
    [one] Un message retourné ne correspond à aucun envoi.
   *[other] { $count } messages retournés ne correspondent à aucun envoi.
}
overview-unmatched-caption = Les messages retournés sans correspondance les plus récents
overview-column-to = Adressé à
overview-column-why = Pourquoi aucune correspondance
overview-refusals-title = Refus du point de réception des rebonds
overview-refusals-caption = Connexions et messages refusés par le point de réception des rebonds, par motif
overview-column-reason = Motif
overview-column-hour = Cette heure
overview-column-day = Dernières 24 heures
refusal-client-refused = Client refusé (non autorisé, ou trop de connexions)
refusal-rate-limited = Client trop rapide
refusal-recipient-refused = Destinataire refusé (pas une adresse de rebond)
refusal-too-big = Message trop volumineux
refusal-too-many-recipients = Trop de destinataires dans un message
refusal-not-stored = Message impossible à enregistrer
limits-title = Modifier les limites d’un relais
limits-relay = Relais
limits-rate = Messages par seconde au plus
limits-rate-hint = 0 pour aucune limite ; laisser vide pour garder le débit en vigueur.
limits-connections = Connexions au plus
limits-connections-hint = Jusqu’au nombre configuré ; laisser vide pour garder le nombre en vigueur.
limits-button = Appliquer les limites à tous les répartiteurs
limits-not-a-number = « { $value } » n’est pas un nombre entier.
