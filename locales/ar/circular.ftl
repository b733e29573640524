## العربية (ar). الصيغ الثابتة للرسائل المعممة لمكتب تقييس الاتصالات، مأخوذة من ../shared/reference/wording.md.
## الرسائل الموسومة بـ "# unverified" ليس لها هناك صيغة موثقة بمصدر، ويجب أن يراجعها مراجع لغوي.

organisation = الاتحاد الدولي للاتصالات
bureau = مكتب تقييس الاتصالات
# unverified
sender-name = مكتب تقييس الاتصالات في الاتحاد الدولي للاتصالات
# unverified
date-line = جنيف، { DATE($date) }
# unverified
reference-label = المرجع:
# unverified
# "الرسالة المعممة" is sourced ([45], [46]: a BR Circular Letter); its form with a TSB number is not.
circular-designation = الرسالة المعممة { $number } لمكتب تقييس الاتصالات
# [46] (wording.md §10).
addressees-label = إلى:
# unverified
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ؛
# unverified
contact-label = جهة الاتصال:
tel-label = الهاتف:
fax-label = الفاكس:
email-label = البريد الإلكتروني:
subject-label = الموضوع:
# unverified
mail-subject = { $designation }: { $subject }
# unverified
salutation = حضرات السادة والسيدات،
# unverified
closing = وتفضلوا بقبول فائق التقدير والاحترام.
signature-title = مدير مكتب تقييس الاتصالات
# unverified
copy-label = نسخة إلى:
# unverified
# The number with its noun in the form Arabic counting takes (CLDR plural categories).
annexes = { $count ->
    [zero] لا ملحقات
    [one] ملحق واحد
    [two] ملحقان
    [few] { $count } ملحقات
    [many] { $count } ملحقًا
   *[other] { $count } ملحق
}
# unverified
signed = (توقيع)
# unverified
footer-reason = تصلكم هذه الرسالة المعممة بصفتكم جهة اتصال لدى { $addressee } في قائمة التوزيع الخاصة بالاتحاد الدولي للاتصالات.
# unverified
footer-unsubscribe = للتوقف عن تلقي هذه الرسائل المعممة، يمكنكم إلغاء الاشتراك من هنا: { $unsubscribe }
# unverified
footer-preferences = لاختيار لغة الرسائل المعممة التي تتلقونها ومواضيعها، يُرجى زيارة: { $preferences }
# unverified
footer-language = لتلقيها بلغة أخرى، يُرجى الرد على هذه الرسالة.

# The same people in every language, in the order of TSB Circular 36 (wording.md §6, [1]). Each
# line is a phrase of this language's cell in wording.md §6 or §10, or is marked unverified;
# tests/category_wording.rs checks it. Member States "of the Union" as in [45].
category-member-states = الدول الأعضاء في الاتحاد
# unverified
category-palestine = دولة فلسطين (القرار 99 (المراجَع في دبي، 2018))
# unverified
category-sector-members = أعضاء قطاعات الاتحاد
category-associates = المنتسبين
category-academia = الهيئات الأكاديمية
# unverified
category-permanent-missions = البعثات الدائمة والسفارات في جنيف
# unverified
category-international-organizations = المنظمات الدولية والإقليمية والوطنية المعنية
# unverified
category-satellite-organizations = المنظمات الحكومية الدولية المشغلة لأنظمة ساتلية
# unverified
category-united-nations = الأمم المتحدة
# unverified
category-specialized-agencies = الوكالات المتخصصة التابعة للأمم المتحدة والوكالة الدولية للطاقة الذرية
# unverified
# "… ونواب رؤسائها" as in [28] (wording.md §10).
category-study-group-chairs = رؤساء لجان الدراسات لقطاع تقييس الاتصالات ونواب رؤسائها
# unverified
category-director-bdt = مدير مكتب تنمية الاتصالات
# unverified
category-director-br = مدير مكتب الاتصالات الراديوية
# unverified
category-secretary-general = الأمين العام للاتحاد الدولي للاتصالات
