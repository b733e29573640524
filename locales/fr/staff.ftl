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
