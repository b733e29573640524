## English (en). The words of the recipients' pages (the preferences page). Every message here
## is in locales/<lang>/pages.ftl for ar, zh, fr, ru and es too, with the same variables: a test
## of the gateway (preferences::words) fails otherwise.

site-name = ITU circulars
# The document title of a page: the page's own title, then the site's name.
page-title = { $page } – { site-name }
skip-to-content = Skip to main content
language-switch-label = Language of this page
preferences-title = Your preferences
preferences-intro = These preferences concern the circulars of the ITU Telecommunication Standardization Bureau sent to this address.
address-label = Address
organisation-label = Organisation
language-label = Language of your circulars
# Said when ?lang= names no language of the pages.
unknown-page-language = This page is not available in the language asked for; it is shown in the language of your circulars.
topics-heading = Optional circulars by topic
topics-none = There are no optional topics at present.
topic-receives = You receive these circulars.
topic-not-receives = You do not receive these circulars.
official-heading = Official circulars
official-note = Official circulars to your organisation cannot be refused one by one. To stop receiving them, unsubscribe this address from all circulars.
unsubscribed-note = This address is unsubscribed from all circulars since { $date }.
failure-invalid-title = This link does not work
failure-invalid = The link is incomplete or has been changed. Open it again from the mail, using the whole link. Nothing has been changed.
failure-unknown-title = This link is no longer valid
failure-unknown = It names no circular sent to an address in the directory: the address may have been removed. Nothing has been changed. Please write to the contact named in the circular.
failure-unavailable-title = Please try again later
failure-unavailable = Your preferences cannot be shown at the moment. Nothing has been changed. Please try again later.
topic-stop-button = Stop receiving { $topic }
topic-start-button = Receive { $topic }
unsubscribe-heading = Unsubscribe from all circulars
unsubscribe-button = Unsubscribe this address from all circulars
changed-topic-on = Done: you will receive the circulars of { $topic }.
changed-topic-off = Done: you will no longer receive the circulars of { $topic }.
changed-unsubscribed = Done: this address is unsubscribed from all circulars.
unchanged = Nothing changed: it already was so.
refused-title = Nothing has been changed
refused-form = This form was not sent from your preferences page, or the page is out of date. Nothing has been changed; please open the link from the mail again.
refused-topic = There is no topic “{ $topic }”. Nothing has been changed.
undo-note = Unsubscribed by mistake? You can undo it here until { $date }.
undo-button = Undo: receive circulars again
changed-undone = Done: this address receives circulars again.
language-heading = Choose the language of your circulars
language-legend = Your next circulars will be sent to you in:
language-button = Save this language
changed-language = Done: your next circulars will be sent to you in { $language }.
refused-language = “{ $language }” is not a language of circulars. Nothing has been changed.
failure-expired-title = This link has expired
failure-expired = Links to your preferences work for { $days } days after the circular is sent, and this circular is older. Nothing has been changed. Open the preferences link of a more recent circular; to stop receiving circulars, the unsubscribe link of this mail still works.
