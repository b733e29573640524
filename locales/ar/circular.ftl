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
circular-designation = الرسالة المعممة { $number } لمكتب تقييس الاتصالات
# unverified
addressees-label = إلى:
# unverified
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ؛
# unverified
contact-label = جهة الاتصال:
tel-label = الهاتف:
fax-label = الفاكس:
email-label = البريد الإلكتروني:
# unverified
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
annexes = الملحقات: { $count }
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

category-member-states = الدول الأعضاء
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
category-study-group-chairs = رؤساء لجان الدراسات لقطاع تقييس الاتصالات ونوابهم
# unverified
category-director-bdt = مدير مكتب تنمية الاتصالات
# unverified
category-director-br = مدير مكتب الاتصالات الراديوية
# unverified
category-secretary-general = الأمين العام للاتحاد الدولي للاتصالات
