## English (en). The public archive's pages and Atom feeds. Nothing here comes from
## ../shared/reference/wording.md, which has no archive wording: have a reviewer check each file.

archive-name = ITU circulars
page-title = { $page } – { archive-name }
skip-to-content = Skip to main content
language-switch-label = Languages
archive-title = Circulars
archive-intro = Circulars issued by the Telecommunication Standardization Bureau, newest first.
archive-empty = No circular has been issued yet.
circular-dated = { DATE($date) }
pages-label = Pages
previous-page = Previous page
next-page = Next page
page-number = Page { $number }
feed-link = Atom feed of new circulars
feed-title = ITU circulars (English)
back-to-list = All circulars
other-languages = This circular in other languages
annexes-heading = Annexes
annex-size = { $type }, { $size } kB
not-found-title = Page not found
unknown-language = There is no archive in “{ $code }”. The archive is published in these languages:
unknown-circular = No circular { $id } is published in this archive.
footer-text = Published by the Telecommunication Standardization Bureau.
feed-author = ITU Telecommunication Standardization Bureau
bad-page = There is no page “{ $page }” in this list.
