## 中文 (zh)。电信标准化局通函的固定用语，取自 ../shared/reference/wording.md。
## 标有 "# unverified" 的消息在该文件中没有来源支持的措辞，须由语言审校人员核对。

organisation = 国际电信联盟
# 信头不加缩写（TSB），同 [43]（wording.md §10）。
bureau = 电信标准化局
# unverified
sender-name = 国际电联电信标准化局
# 日期在前，地点在后：2015年3月11日，日内瓦 [43]。
date-line = { DATE($date) }，日内瓦
reference-label = 文号：
circular-designation = 电信标准化局第{ $number }号通函
addressees-label = 致：
# The mark that ends every line of the addressee and copy lists but the last: a full-width comma
# in [43] (which also joins the last two lines with 和, which a separator cannot do).
list-separator = ，
# unverified
contact-label = 联系人：
tel-label = 电话：
fax-label = 传真：
email-label = 电子邮件：
subject-label = 事由：
# unverified
mail-subject = { $designation }：{ $subject }
# unverified
salutation = 尊敬的先生/女士：
# unverified
closing = 顺致敬意！
signature-title = 电信标准化局主任
# unverified
copy-label = 抄送：
# unverified
annexes = 附件：{ $count }
# unverified
signed = （签字）
# unverified
footer-reason = 您作为{ $addressee }的联系人列入国际电联分发名单，因此收到本通函。
# unverified
footer-unsubscribe = 如需停止接收此类通函，请点击此处退订：{ $unsubscribe }
# unverified
footer-preferences = 如需选择所收通函的语言和主题，请点击此处：{ $preferences }
# unverified
footer-language = 如需以其他语言接收，请回复本邮件。

# 各语言的收件人相同，顺序同电信标准化局第36号通函（wording.md §6，[1]）。每行取自本语言在
# wording.md §6 或 §10 中的措辞，否则标为 unverified；由 tests/category_wording.rs 检查。
# 成员国取自 [43]「国际电联各成员国主管部门」；部门成员等取自 [23]（[43] 只列 ITU-T 的成员）。
category-member-states = 国际电联各成员国
# unverified
category-palestine = 巴勒斯坦国（第99号决议（2018年，迪拜，修订版））
category-sector-members = 部门成员
category-associates = 部门准成员
category-academia = 学术成员
# unverified
category-permanent-missions = 驻日内瓦常驻代表团和使馆
# unverified
category-international-organizations = 相关国际、区域和国家组织
category-satellite-organizations = 运营卫星系统的政府间组织
category-united-nations = 联合国
category-specialized-agencies = 联合国各专门机构以及国际原子能机构
# unverified
category-study-group-chairs = ITU-T各研究组主席和副主席
# unverified
category-director-bdt = 电信发展局主任
category-director-br = 无线电通信局主任
# unverified
category-secretary-general = 国际电联秘书长
