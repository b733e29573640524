## العربية (ar). صفحات الأرشيف العام وموجزات Atom. لا شيء هنا مأخوذ من
## ../shared/reference/wording.md، إذ ليس فيه صيغ للأرشيف: يجب أن يراجعها مراجع لغوي.

archive-name = الرسائل المعممة للاتحاد الدولي للاتصالات
page-title = { $page } – { archive-name }
skip-to-content = انتقل إلى المحتوى الرئيسي
language-switch-label = اللغات
archive-title = الرسائل المعممة
archive-intro = الرسائل المعممة الصادرة عن مكتب تقييس الاتصالات، الأحدث أولاً.
archive-empty = لم تصدر أي رسالة معممة بعد.
circular-dated = { DATE($date) }
pages-label = الصفحات
previous-page = الصفحة السابقة
next-page = الصفحة التالية
page-number = الصفحة { $number }
feed-link = موجز Atom للرسائل المعممة الجديدة
feed-title = الرسائل المعممة للاتحاد الدولي للاتصالات (العربية)
back-to-list = جميع الرسائل المعممة
other-languages = هذه الرسالة المعممة بلغات أخرى
annexes-heading = الملحقات
annex-size = { $type }، { $size } كيلوبايت
not-found-title = الصفحة غير موجودة
unknown-language = لا يوجد أرشيف باللغة «{ $code }». يُنشر الأرشيف باللغات التالية:
unknown-circular = لم تُنشر الرسالة المعممة { $id } في هذا الأرشيف.
footer-text = ينشره مكتب تقييس الاتصالات.
feed-author = مكتب تقييس الاتصالات في الاتحاد الدولي للاتصالات
bad-page = لا توجد في هذه القائمة صفحة «{ $page }».
