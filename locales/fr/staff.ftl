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
