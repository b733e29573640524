## Русский (ru). Страницы и ленты Atom открытого архива. Ничего здесь не взято из
## ../shared/reference/wording.md, где нет формулировок архива: нужна проверка редактором.

archive-name = Циркуляры МСЭ
page-title = { $page } – { archive-name }
skip-to-content = Перейти к основному содержанию
language-switch-label = Языки
archive-title = Циркуляры
archive-intro = Циркуляры Бюро стандартизации электросвязи, сначала самые новые.
archive-empty = Циркуляры ещё не выпускались.
circular-dated = { DATE($date) }
pages-label = Страницы
previous-page = Предыдущая страница
next-page = Следующая страница
page-number = Страница { $number }
feed-link = Лента Atom новых циркуляров
feed-title = Циркуляры МСЭ (русский)
back-to-list = Все циркуляры
other-languages = Этот циркуляр на других языках
annexes-heading = Приложения
annex-size = { $type }, { $size } КБ
not-found-title = Страница не найдена
unknown-language = Архива на языке «{ $code }» нет. Архив публикуется на следующих языках:
unknown-circular = Циркуляр { $id } в этом архиве не опубликован.
footer-text = Публикуется Бюро стандартизации электросвязи.
feed-author = Бюро стандартизации электросвязи МСЭ
bad-page = В этом списке нет страницы «{ $page }».
