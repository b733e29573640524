## Français (fr). Les mots des pages des destinataires (la page des préférences).

site-name = Circulaires de l'UIT
page-title = { $page } – { site-name }
skip-to-content = Aller au contenu principal
language-switch-label = Langue de cette page
preferences-title = Vos préférences
preferences-intro = Ces préférences concernent les circulaires du Bureau de la normalisation des télécommunications de l'UIT envoyées à cette adresse.
address-label = Adresse
organisation-label = Organisation
language-label = Langue de vos circulaires
unknown-page-language = Cette page n'existe pas dans la langue demandée; elle est affichée dans la langue de vos circulaires.
topics-heading = Circulaires facultatives par sujet
topics-none = Il n'y a aucun sujet facultatif pour le moment.
topic-receives = Vous recevez ces circulaires.
topic-not-receives = Vous ne recevez pas ces circulaires.
official-heading = Circulaires officielles
official-note = Les circulaires officielles adressées à votre organisation ne peuvent pas être refusées une à une. Pour ne plus les recevoir, désabonnez cette adresse de toutes les circulaires.
unsubscribed-note = Cette adresse est désabonnée de toutes les circulaires depuis le { $date }.
failure-invalid-title = Ce lien ne fonctionne pas
failure-invalid = Le lien est incomplet ou a été modifié. Ouvrez-le de nouveau depuis le courriel, en entier. Rien n'a été modifié.
failure-unknown-title = Ce lien n'est plus valable
failure-unknown = Il ne désigne aucune circulaire envoyée à une adresse de l'annuaire: l'adresse a peut-être été supprimée. Rien n'a été modifié. Veuillez écrire au contact indiqué dans la circulaire.
failure-unavailable-title = Veuillez réessayer plus tard
failure-unavailable = Vos préférences ne peuvent pas être affichées pour le moment. Rien n'a été modifié. Veuillez réessayer plus tard.
