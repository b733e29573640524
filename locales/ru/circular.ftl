## Русский (ru). Постоянные формулировки циркуляров БСЭ, взятые из ../shared/reference/wording.md.
## Сообщения с пометкой "# unverified" не имеют там подтвержденной источником формулировки: их должен проверить редактор-лингвист.
## Адресаты (category-*) стоят в дательном падеже; источник дает только родительный, поэтому они помечены "# unverified".

organisation = Международный союз электросвязи (МСЭ)
bureau = Бюро стандартизации электросвязи (БСЭ)
# unverified
sender-name = Бюро стандартизации электросвязи МСЭ
# unverified
date-line = Женева, { DATE($date) }
# unverified
reference-label = Осн.:
# unverified
circular-designation = Циркуляр { $number } БСЭ
# unverified
addressees-label = Кому:
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ;
# unverified
contact-label = Для контактов:
tel-label = Тел.:
fax-label = Факс:
email-label = Эл. почта:
# unverified
subject-label = Предмет:
# unverified
mail-subject = { $designation }: { $subject }
# unverified
salutation = Уважаемая госпожа, уважаемый господин,
# unverified
closing = С уважением,
# unverified
signature-title = Директор Бюро стандартизации электросвязи
# unverified
copy-label = Копии:
# unverified
annexes = { $count ->
    [one] Приложение: { $count }
   *[other] Приложения: { $count }
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
category-member-states = Администрациям Государств-Членов Союза
# unverified
category-palestine = Государству Палестина (Резолюция 99 (Пересм. Дубай, 2018 г.))
# unverified
category-sector-members = Членам Секторов МСЭ
# unverified
category-associates = Ассоциированным членам МСЭ
# unverified
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
# unverified
category-study-group-chairs = Председателям и заместителям председателей исследовательских комиссий МСЭ-Т
# unverified
category-director-bdt = Директору Бюро развития электросвязи
# unverified
category-director-br = Директору Бюро радиосвязи
# unverified
category-secretary-general = Генеральному секретарю МСЭ
