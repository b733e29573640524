## 中文 (zh). 收件人页面（偏好设置页面）的用语。

site-name = 国际电联通函
page-title = { $page } – { site-name }
skip-to-content = 跳至主要内容
language-switch-label = 本页语言
preferences-title = 您的偏好设置
preferences-intro = 这些偏好设置涉及国际电联电信标准化局发送至此地址的通函。
address-label = 地址
organisation-label = 组织
language-label = 您所收通函的语言
unknown-page-language = 本页没有所请求的语言版本，现以您所收通函的语言显示。
topics-heading = 按主题划分的非必收通函
topics-none = 目前没有非必收主题。
topic-receives = 您会收到此类通函。
topic-not-receives = 您不会收到此类通函。
official-heading = 正式通函
official-note = 发给贵组织的正式通函不能逐一拒收。如需停止接收，请将此地址从所有通函中退订。
unsubscribed-note = 自 { $date } 起，此地址已退订所有通函。
failure-invalid-title = 此链接无效
failure-invalid = 链接不完整或已被修改。请从邮件中重新打开完整的链接。未作任何更改。
failure-unknown-title = 此链接已失效
failure-unknown = 该链接未对应发往名录中任何地址的通函：该地址可能已被删除。未作任何更改。请致函通函中所列的联系人。
failure-unavailable-title = 请稍后再试
failure-unavailable = 目前无法显示您的偏好设置。未作任何更改。请稍后再试。
