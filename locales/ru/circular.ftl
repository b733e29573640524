## Русский (ru). Постоянные формулировки циркуляров БСЭ, взятые из ../shared/reference/wording.md.
## Сообщения с пометкой "# unverified" не имеют там подтвержденной источником формулировки: их должен проверить редактор-лингвист.
## Адресаты (category-*) стоят в дательном падеже: из циркуляра 179 БСЭ [40] и коллективного письма 6/2 БСЭ [41]
## (wording.md §10); остальные образованы от родительного падежа [21] и помечены "# unverified".

# Бланк без сокращений (МСЭ)/(БСЭ), как в [41] (wording.md §10).
organisation = Международный союз электросвязи
bureau = Бюро стандартизации электросвязи
# unverified
sender-name = Бюро стандартизации электросвязи МСЭ
date-line = Женева, { DATE($date) }
reference-label = Осн.:
circular-designation = Циркуляр { $number } БСЭ
# Без метки: строки списка начинаются с «–» [40]. Пустое сообщение опускает метку.
addressees-label = { "" }
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ;
# unverified
contact-label = Для контактов:
tel-label = Тел.:
fax-label = Факс:
email-label = Эл. почта:
subject-label = Предмет:
# unverified
mail-subject = { $designation }: { $subject }
# В две строки, как в [40].
salutation =
    Уважаемая госпожа,
    уважаемый господин,
# unverified
closing = С уважением,
# unverified
signature-title = Директор Бюро стандартизации электросвязи
copy-label = Копии:
# unverified
# Число с существительным в нужной форме: 1 и 21 приложение, 2–4 приложения, 5–20 приложений.
annexes = { $count ->
    [one] { $count } приложение
    [few] { $count } приложения
    [many] { $count } приложений
   *[other] { $count } приложения
}
# unverified
signed = (подпись)
# unverified
footer-reason = Вы получаете этот циркуляр как контактное лицо организации { $addressee } в списке рассылки МСЭ.
# unverified
footer-unsubscribe = Чтобы отказаться от получения этих циркуляров, перейдите по ссылке: { $unsubscribe }
# unverified
footer-preferences = Чтобы выбрать язык и темы получаемых циркуляров, перейдите по ссылке: { $preferences }
# unverified
footer-language = Чтобы получать их на другом языке, ответьте на это сообщение.

# unverified
# Государства – Члены, как во французском и английском; [40] пишет «Администрациям Государств – Членов Союза».
category-member-states = Государствам – Членам Союза
# unverified
category-palestine = Государству Палестина (Резолюция 99 (Пересм. Дубай, 2018 г.))
# unverified
category-sector-members = Членам Секторов МСЭ
# unverified
category-associates = Ассоциированным членам МСЭ
category-academia = Академическим организациям – Членам МСЭ
# unverified
category-permanent-missions = Постоянным представительствам и посольствам в Женеве
# unverified
category-international-organizations = Соответствующим международным, региональным и национальным организациям
# unverified
category-satellite-organizations = Межправительственным организациям, эксплуатирующим спутниковые системы
category-united-nations = Организации Объединенных Наций
# unverified
category-specialized-agencies = Специализированным учреждениям Организации Объединенных Наций и Международному агентству по атомной энергии
category-study-group-chairs = Председателям и заместителям председателей всех исследовательских комиссий МСЭ-Т
category-director-bdt = Директору Бюро развития электросвязи
category-director-br = Директору Бюро радиосвязи
# unverified
category-secretary-general = Генеральному секретарю МСЭ
