## Español (es). Las páginas y los canales Atom del archivo público. Nada viene de
## ../shared/reference/wording.md, que no tiene fórmulas de archivo: debe revisarlo un revisor.

archive-name = Circulares de la UIT
page-title = { $page } – { archive-name }
skip-to-content = Ir al contenido principal
language-switch-label = Idiomas
archive-title = Circulares
archive-intro = Circulares publicadas por la Oficina de Normalización de las Telecomunicaciones, de la más reciente a la más antigua.
archive-empty = Todavía no se ha publicado ninguna circular.
circular-dated = { DATE($date) }
pages-label = Páginas
previous-page = Página anterior
next-page = Página siguiente
page-number = Página { $number }
feed-link = Canal Atom de las nuevas circulares
feed-title = Circulares de la UIT (español)
back-to-list = Todas las circulares
other-languages = Esta circular en otros idiomas
annexes-heading = Anexos
annex-size = { $type }, { $size } kB
not-found-title = Página no encontrada
unknown-language = No existe un archivo en «{ $code }». El archivo se publica en estos idiomas:
unknown-circular = En este archivo no se ha publicado ninguna circular { $id }.
footer-text = Publicado por la Oficina de Normalización de las Telecomunicaciones.
feed-author = Oficina de Normalización de las Telecomunicaciones de la UIT
bad-page = Esta lista no tiene ninguna página «{ $page }».
