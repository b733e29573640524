## 中文 (zh)。公开档案的页面和 Atom 订阅源。此处措辞均非取自
## ../shared/reference/wording.md（其中没有档案用语），须请审校人员核对。

archive-name = 国际电联通函
page-title = { $page } – { archive-name }
skip-to-content = 跳至主要内容
language-switch-label = 语言
archive-title = 通函
archive-intro = 电信标准化局发布的通函，最新的在前。
archive-empty = 尚未发布任何通函。
circular-dated = { DATE($date) }
pages-label = 页码
previous-page = 上一页
next-page = 下一页
page-number = 第{ $number }页
feed-link = 新通函的Atom订阅源
feed-title = 国际电联通函（中文）
back-to-list = 全部通函
other-languages = 本通函的其他语文版本
annexes-heading = 附件
annex-size = { $type }，{ $size } KB
not-found-title = 未找到页面
unknown-language = 没有“{ $code }”语文的档案。档案以下列语文发布：
unknown-circular = 本档案中没有发布通函{ $id }。
footer-text = 由电信标准化局发布。
feed-author = 国际电联电信标准化局
bad-page = 本列表没有第“{ $page }”页。
