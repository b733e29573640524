## Français (fr). Les pages et les flux Atom de l'archive publique. Rien ici ne vient de
## ../shared/reference/wording.md, qui n'a pas de formules d'archive: à faire relire.

archive-name = Circulaires de l'UIT
page-title = { $page } – { archive-name }
skip-to-content = Aller au contenu principal
language-switch-label = Langues
archive-title = Circulaires
archive-intro = Circulaires publiées par le Bureau de la normalisation des télécommunications, de la plus récente à la plus ancienne.
archive-empty = Aucune circulaire n'a encore été publiée.
circular-dated = { DATE($date) }
pages-label = Pages
previous-page = Page précédente
next-page = Page suivante
page-number = Page { $number }
feed-link = Flux Atom des nouvelles circulaires
feed-title = Circulaires de l'UIT (français)
back-to-list = Toutes les circulaires
other-languages = Cette circulaire dans les autres langues
annexes-heading = Annexes
annex-size = { $type }, { $size } Ko
not-found-title = Page introuvable
unknown-language = Il n'existe pas d'archive en « { $code } ». L'archive est publiée dans les langues suivantes:
unknown-circular = Aucune circulaire { $id } n'est publiée dans cette archive.
footer-text = Publié par le Bureau de la normalisation des télécommunications.
feed-author = Bureau de la normalisation des télécommunications de l'UIT
bad-page = Cette liste n'a pas de page « { $page } ».
