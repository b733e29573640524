## English (en). The staff console's words. Every message here is in locales/fr/staff.ftl too,
## with the same variables: a test of the gateway (console::words) fails otherwise.

## Every page
console-name = Circulars staff console
skip-to-content = Skip to main content
language-switch-label = Language
nav-label = Console
# The document title of a page: the page's own title, then the console's name.
page-title = { $page } – { console-name }
# The same when the form on the page has errors (screen readers announce the title first).
page-title-with-errors = Error: { $page } – { console-name }
signed-in-as = Signed in as { $name }
sign-out = Sign out
footer-text = International Telecommunication Union – staff console for circulars
# The heading of the box that lists every error at the top of a form.
error-summary-title = There is a problem
# Read by screen readers before the message shown beside a field.
error-prefix = Error:

## The sign-in page
sign-in-title = Sign in
sign-in-intro = Sign in with the account name and the password that an administrator gave you.
sign-in-name = Account name
sign-in-name-hint = Lower-case letters, digits, dots and hyphens, for example ana.silva
sign-in-password = Password
sign-in-submit = Sign in

## A request refused before anything was done
refused-title = Request refused
refused-cross-site = This form was sent from another site, not from a page of this console, so nothing was done.
refused-form-expired = This form has expired or was not sent from your session, so nothing was done.
refused-next-step = Go back to the console, reload the page and send the form again.
refused-back = Back to the console
sign-in-name-missing = Enter your account name
sign-in-password-missing = Enter your password
sign-in-wrong = The account name or the password is wrong
sign-in-too-many = Too many attempts to sign in: wait a minute and try again
sign-in-disabled = This account is disabled: ask an administrator

## Signed-in pages
nav-circulars = Circulars
nav-new-circular = New circular
nav-directory = Directory
nav-accounts = Accounts
forbidden-title = Not allowed
# $role: drafter, approver, operator or admin
forbidden-role = Your account cannot do this: it needs the { $role } role.
forbidden-either-role = Your account cannot do this: it needs the { $role } or the { $other } role.
failure-title = Something went wrong
failure-text = The server failed and nothing was changed. Try again; if it fails again, tell the operators.

## The circulars' pages (console::circulars): the list, a circular's page, issuing, delivery
circulars-title = Circulars
circulars-filter-state = State
circulars-filter-all = All states
circulars-filter-button = Show
circulars-filter-label = Find circulars
circulars-filter-text = Series, circular or words of its subject
circulars-filter-text-hint = For example TSB, TSB-36 or experts. Every word must be found, in any language.
circulars-caption = Circulars, most recently changed first – page { $page }
circulars-caption-in-state = Circulars in the state “{ $state }”, most recently changed first – page { $page }
circulars-caption-found = Circulars whose id or subject holds “{ $text }”, most recently changed first – page { $page }
circulars-caption-in-state-found = Circulars in the state “{ $state }” whose id or subject holds “{ $text }”, most recently changed first – page { $page }
circulars-empty = There are no circulars yet.
circulars-empty-found = No circular matches: choose another state or other words.
circulars-empty-page = This page is past the last circular.
circulars-column-id = Circular
circulars-column-subject = Subject
circulars-column-state = State
circulars-column-revision = Revision
circulars-column-drafted-by = Drafted by
circulars-column-updated = Last change
circulars-pages-label = Pages of the list
circulars-previous-page = Previous page
circulars-next-page = Next page
circular-state-draft = Draft
circular-state-submitted = Submitted for approval
circular-state-approved = Approved
circular-state-issued = Issued
circular-state-paused = Paused
circular-state-cancelled = Cancelled
circulars-language-ar = Arabic
circulars-language-zh = Chinese
circulars-language-en = English
circulars-language-fr = French
circulars-language-ru = Russian
circulars-language-es = Spanish
circular-not-found-title = Circular not found
circular-not-found = There is no circular { $id }. Check the address, or find the circular in the list.
back-to-circular = Back to the circular

## A circular's page
circular-title = Circular { $id }
circular-fact-state = State
circular-fact-revision = Revision
circular-fact-reference = Reference
circular-fact-date = Date
circular-fact-categories = Addressees
circular-fact-copy = Copy to
circular-fact-topic = Topic (recipients may opt out)
circular-fact-contact = Contact
circular-contact-tel = tel. { $tel }
circular-fact-signatory = Signatory
circular-none = none
circular-fact-drafted-by = Drafted by
circular-fact-edited-by = Last edited by
circular-fact-approved = Approved by
circular-not-approved = Not approved
circular-fact-issued = Issued
circular-not-issued = Not issued
circular-link-edit = Edit this circular
circular-link-preview = Preview the six language versions
circular-link-delivery = See its delivery
circular-actions-title = What you can do
circular-actions-none = There is nothing for your account to do with this circular now.
step-submit = Submit for approval
step-submit-hint = An approver will approve it or send it back to you. Editing it afterwards returns it to draft.
step-approve = Approve
# $revision: the revision the page shows, which the form carries
step-approve-hint = You approve revision { $revision } as it stands. If someone edits it before you press the button, your approval is refused.
step-approve-own = You drafted or last edited { $id }: another approver must approve it.
step-approve-no-revision = The form did not say which revision you approved: reload the page and approve again.
step-send-back = Send back to the drafter
send-back-comment = What should the drafter change?
send-back-comment-hint = The drafter reads this in the circular’s history.
step-issue = Check the audience and issue
step-issue-hint = The next page shows who would receive it today and asks you to confirm.
step-pause = Pause sending
step-pause-hint = Mails being sent now finish; the others wait until sending is resumed.
step-resume = Resume sending
step-cancel = Cancel sending
step-cancel-hint = Every mail not yet sent is recorded as cancelled. This cannot be undone.
circular-history-title = History
circular-history-caption = Every step of { $id }, oldest first
history-column-when = When
history-column-who = Who
history-column-via = From
history-column-what = What
history-column-details = Details
history-via-page = Console
history-via-api = API
history-via-cli = Command line
history-step-drafted = Drafted
history-step-edited = Edited
history-step-submitted = Submitted for approval
history-step-approved = Approved
history-step-sent-back = Sent back to the drafter
history-step-issued = Issued
history-step-paused = Paused
history-step-resumed = Resumed
history-step-cancelled = Cancelled
history-revision = revision { $revision }
history-was = previous state: { $state }
history-changed = fields changed: { $fields }
history-nothing-changed = nothing changed
history-comment = comment: “{ $comment }”

## Issuing, confirmed
issue-title = Issue { $id }
issue-lead = { $count ->
    [one] Issued now, it would go to one recipient, as the directory stands today.
   *[other] Issued now, it would go to { $count } recipients, as the directory stands today.
}
issue-audience-caption = Recipients per category and language, if issued now
issue-overlap-note = A recipient in several categories is counted in each, so the category rows may add up to more than the total.
issue-excluded-caption = Addresses left out, per reason
issue-nobody-excluded = No address in its categories is left out.
issue-hint = The audience is frozen when you press the button, and the mails go out at once.
issue-button = { $count ->
    [one] Issue to { $count } recipient
   *[other] Issue to { $count } recipients
}
issue-not-ready = It cannot be issued now: its state is “{ $state }”, and only an approved circular can be issued.
table-total = Total
table-category = Category
table-language = Language
table-state = State
table-reason = Reason
table-addresses = Addresses
table-recipients = Recipients
table-all-recipients = All recipients
exclusion-suppressed = Suppressed
exclusion-inactive = Every contact inactive
exclusion-opted-out = Opted out of the topic
exclusion-not-opted-in = Never opted in to the topic

## A circular's delivery
delivery-title = Delivery of { $id }
delivery-not-issued = This circular has not been issued: nothing has been sent.
delivery-freezing = The audience is being frozen.
delivery-progress = { $finished } of { $total } recipients have a final state.
delivery-complete = { $total ->
    [one] Finished: the one recipient has a final state.
   *[other] Finished: all { $total } recipients have a final state.
}
delivery-fact-audience = Audience
delivery-audience = { $count ->
    [one] one recipient
   *[other] { $count } recipients
} in the frozen audience; addresses left out: { $excluded }
delivery-fact-unconfirmed = Reply lost
delivery-unconfirmed = { $count ->
    [one] one sent mail: the relay’s reply was lost after the message went, so it may have arrived twice
   *[other] { $count } sent mails: the relay’s reply was lost after the message went, so each may have arrived twice
}
delivery-paused = Paused: nothing more is sent until an operator resumes sending.
delivery-cancelled = Cancelled: every mail not yet sent is recorded as cancelled.
delivery-reload = Count again (reload this page)
live-on = Live: the counts below follow the sending as it happens.
live-lost = The live connection was lost: trying again…
live-too-many = Too many live pages are open from this address: close some and try again.
delivery-operate-title = Sending
cancel-title = Cancel sending { $id }?
cancel-lead = { $waiting ->
    [one] One recipient of { $id } has no final state yet: their mail will not be sent and is recorded as cancelled. Mail already sent stays sent.
   *[other] { $waiting } recipients of { $id } have no final state yet: their mail will not be sent and is recorded as cancelled. Mail already sent stays sent.
}
cancel-lead-unfrozen = The audience of { $id } is still being frozen: nothing of it has been sent, and nothing will be.
cancel-keep-sending = Keep sending (back to the delivery page)
delivery-state-caption = Recipients per delivery state
delivery-language-caption = Recipients per language and delivery state
delivery-category-caption = Recipients per category and delivery state
delivery-state-queued = Waiting to be sent
delivery-state-sending = Being sent
delivery-state-sent = Sent
delivery-state-deferred = Deferred (to be tried again)
delivery-state-failed = Failed
delivery-state-cancelled = Cancelled
delivery-state-bounced = Bounced
delivery-state-complained = Reported as spam
delivery-returned-title = Returned mail
delivery-returned-none = No mail has come back.
delivery-returned-caption = Returned mail, newest first
delivery-returned-more = Only the newest { $shown } are shown: `circulars status { $id } --json` lists them all.
pace-title = Pace
pace-rate = Rate
pace-rate-value = { $rate ->
    [one] one mail a minute
   *[other] { $rate } mails a minute
} (over the last whole minutes)
pace-time-left = Time left at this rate
pace-time-left-value = { $minutes ->
    [one] about a minute
   *[other] about { $minutes } minutes
}
pace-retries = Deferred, to be tried again
pace-retries-value = { $count ->
    [one] one mail
   *[other] { $count } mails
}; the next attempt is due at { $next }
pace-retries-none = none
pace-complaints = Reported as spam
pace-chart-label = Mails that reached a final state, minute by minute over the last hour: { $total } in all, at most { $peak } in one minute.
pace-failures-title = Failures and bounces
pace-failures-none = No mail has failed or bounced.
pace-failures-caption = The newest failures and bounces, with the remote servers' words
returned-column-address = Address
returned-column-when = When
returned-column-what = What it means
returned-column-said = What the server said
returned-column-server = Server
returned-kind-permanent = Bounced
returned-kind-temporary = Delayed
returned-kind-complaint = Reported as spam
returned-kind-unsubscribe = Unsubscribed by mail

## The draft form
language-ar = Arabic
language-zh = Chinese
language-en = English
language-fr = French
language-ru = Russian
language-es = Spanish
draft-new-title = New circular
# $id: the circular, e.g. TSB-36
draft-edit-title = Edit { $id }
draft-intro = Fill in the circular's details and its text in all six languages, then save it as a draft. Saving a submitted or approved circular returns it to draft.
draft-metadata = The circular
draft-series = Series
draft-series-hint = Capital letters or digits, for example TSB
draft-number = Number
draft-reference = Reference
draft-reference-hint = The reference line, for example TSB Events/FW
draft-date = Date
draft-date-hint = For example 2025-03-12
draft-signatory = Signatory
draft-topic = Topic
draft-topic-hint = Recipients may opt out of a circular with a topic; an official circular has none.
draft-topic-none = None (an official circular)
draft-fallback-language = Fallback language
draft-fallback-language-hint = The language of recipients whose contact names none
draft-archive = Public archive
draft-archive-hint = Whether anyone may read it at /circulars/ and in the Atom feeds once it is issued
draft-archive-yes = Published once issued
draft-archive-no = Withheld (mailed only)
draft-contact = The contact
draft-contact-name = Contact's name
draft-contact-email = Contact's e-mail address
draft-contact-tel = Contact's telephone
draft-contact-fax = Contact's fax
draft-categories = Addressees
draft-categories-hint = Select every category the circular is addressed to.
draft-copy = Copy to
draft-copy-hint = Categories that receive a copy (none of the addressees).
draft-annex-files = Annexes
draft-annexes = Annexes kept
draft-annexes-hint = Untick an annex to remove it.
# $files: the files stored, e.g. annex1.pdf, annex1.fr.pdf
draft-annex-stored = { $files }
draft-annex-all = Annex files for every language
draft-annex-all-hint = Each file is an annex, sent in every language without a version of its own.
draft-texts = The text in each language
# $language: the language's name, e.g. French
draft-text-legend = { $language } text
draft-subject = Subject ({ $language })
draft-text-reference = Reference line ({ $language })
draft-text-reference-hint = Only when it differs from the circular's reference
draft-text-signatory = Signatory's name ({ $language })
draft-text-contact-name = Contact's name ({ $language })
draft-text-name-hint = As this language writes it (李在摄, شاسوب لي); leave empty to print the common form
draft-body = Body ({ $language })
draft-body-hint = Markdown: paragraphs separated by a blank line, lists with "-".
draft-annex-language = Annex files in { $language }
draft-annex-language-hint = A file named as the annex (or as annex1.fr.pdf) is that annex's version in this language.
draft-files-again = The files you chose were not saved: choose them again before saving.
draft-save = Save the draft
# $id: the circular
draft-exists = { $id } already exists: change the number, or edit { $id } from its page.
# $limit: bytes
draft-too-large = The form is over the limit of { $limit } bytes (gateway.max_request_bytes): send smaller or fewer files.
draft-not-found-title = Not found
# $id: what was asked for
draft-unknown-circular = There is no circular { $id }.

## The preview and test copies
# $id: the circular
preview-title = Preview of { $id }
preview-intro = The six versions exactly as recipients get them, addressed to a sample recipient.
preview-back = The circular's page
preview-edit = Edit the draft
# $language: the language's name
preview-frame-title = The version in { $language }
preview-refused-title = No preview
test-copies-heading = Send me a test copy
test-copies-to = Your e-mail address
test-copies-to-hint = All six versions are sent to this address, their subjects marked [TEST COPY].
test-copies-send = Send the six test copies
# $id: the circular
test-copies-title = Test copies of { $id }
test-copies-back = Back to the preview

## The directory (admins; operators search and explain)
directory-title = Directory
directory-search-label = Search the directory
directory-search-hint = Part of an address, of a person's name, of an addressee's key or name. Leave it empty to list every contact.
directory-search-submit = Search
directory-import-link = Import a directory file (CSV)
directory-no-results = No contact matches.
# $query: what was searched for
directory-results-caption = Contacts matching “{ $query }”
directory-results-all = Every contact in the directory
directory-col-address = Address
directory-col-name = Name
directory-col-role = Role
directory-col-addressee = Addressee
directory-col-addressee-name = Addressee's name
directory-col-status = Status
directory-status-active = active
directory-status-inactive = inactive
directory-pages-label = Pages of results
directory-previous = Previous page
directory-next = Next page

## One address
# $address: the e-mail address
address-title = { $address }
address-back = Back to the directory
address-contacts = What is held about this address
# $address: the e-mail address
address-contacts-caption = Contacts with the address { $address }
address-no-contacts = The directory holds no contact with this address.
address-col-categories = Categories
address-col-language = Language
address-col-source = Source
# $detail: since when, the reason and what was said
address-suppressed = This address receives no circular: suppressed since { $detail }
address-subscriptions-caption = Topic choices
address-col-topic = Topic
address-col-choice = Choice
address-col-set-by = Set by
address-col-since = Since
address-subscribed = receives it
address-opted-out = opted out
address-circulars = Circulars that named it
address-no-circulars = No circular has named this address.
address-circulars-caption = Circulars whose frozen audience names this address
address-col-circular = Circular
address-col-list = On the list
address-col-delivery = Delivery
# $reasons: the categories and contacts that put it there
address-listed = On the list: { $reasons }
# $reason: why it was left out, and the details
address-excluded = Left out ({ $reason })
address-explain-title = Why is it, or is it not, on a circular's list?
address-explain-circular = Circular
address-explain-hint = Its id, for example TSB-36
address-explain-submit = Explain
address-explanation = Explanation
address-audit = Audit trail
address-audit-caption = Every change about this address, oldest first
address-no-audit = No change about this address is recorded.
address-col-when = When
address-col-who = Who
address-col-action = What
address-col-detail = Detail
address-actions = What you can do
address-json = The same report as JSON
address-forget = Forget this person…

## Importing a directory file
import-title = Import a directory file
import-form-title = Send a file
import-file = Directory file (CSV, UTF-8)
# $columns: the header line a file starts with
import-file-hint = Its first line names the columns: { $columns }
import-dry-run-legend = Dry run
import-dry-run = Only check the file and say what would change: store nothing
import-submit = Send the file
import-no-file = Choose a CSV file to send
# $limit: the largest request in bytes
import-too-large = The file is too large: the limit is { $limit } bytes ([gateway] max_request_bytes)
# $count: how many problems
import-refused = The file was refused and nothing was stored. Problems found: { $count }, each listed below with its line and column
# $file: the file's name
import-problems-caption = The problems of { $file }
import-col-line = Line
import-col-column = Column
import-col-field = Field
import-col-problem = Problem
# $file: the file's name
import-report-dry-run = What importing { $file } would change (dry run: nothing was stored)
# $file: the file's name
import-report-done = What importing { $file } changed
import-col-change = Change
import-col-count = Number
import-addressees-created = Addressees added
import-addressees-updated = Addressees changed
import-contacts-created = Contacts added
import-contacts-updated = Contacts changed
import-subscriptions-changed = Topic choices set
import-suppressions-added = Addresses unsubscribed
import-unchanged = Rows already as the file says
import-kept = The recipients' own choices, which the file does not override
import-dry-run-done = Nothing was stored. To import this file, choose it again below, untick “Dry run” and send it: the server keeps no copy of what was checked.

## Forgetting a person
forget-title = Forget a person
# $address: the e-mail address
forget-question = Forget everything about { $address }?
forget-what = Its contacts and topic choices are deleted; where a record must stay (frozen audiences, deliveries, the suppression list, the audit trail) a keyed pseudonym takes the address's place.
forget-final = This cannot be undone. It is refused while a circular is still being delivered to the address.
forget-development-key = The public development token key is in use: anyone can tell which address its pseudonyms stand for. Configure [tokens] keys first.
forget-submit = Forget this person
forget-cancel = Cancel
# $pseudonym: what now stands for the address
forget-done = The person was forgotten. What must stay now names { $pseudonym }.

## Staff accounts
accounts-title = Accounts
accounts-caption = Staff accounts
accounts-col-name = Name
accounts-col-roles = Roles
accounts-col-state = State
accounts-col-created = Created
accounts-enabled = enabled
# $when: the date and time
accounts-disabled-since = disabled since { $when }
accounts-add-title = Add an account
accounts-name = Account name
accounts-name-missing = Enter the account's name
accounts-roles-missing = Give the account at least one role (drafter, approver, operator, admin)
accounts-roles = Roles
accounts-roles-hint = Tick every role the person holds: at least one.
accounts-add-submit = Add the account
role-drafter = Drafter: drafts, previews and submits circulars
role-approver = Approver: approves or sends back what others drafted
role-operator = Operator: issues, pauses, resumes and cancels; reads everything
role-admin = Admin: accounts, API tokens and the directory
accounts-added-title = Account added
# $name: the account's name
accounts-added-intro = The account { $name } signs in with this one-time password. Give it to the person by a safe channel.
shown-once-warning = It is shown this once and never again: only its hash is kept.
shown-once-next = Go on to the account
accounts-back = Back to the accounts
accounts-not-found = Not found
accounts-refused = Not done
# $name: the account's name
account-title = Account { $name }
accounts-roles-submit = Change the roles
accounts-password = Password
accounts-password-hint = A new password is made and shown once; the account's sessions end.
accounts-password-submit = Reset the password
accounts-password-title = Password reset
# $name: the account's name
accounts-password-intro = The account { $name } now signs in with this one-time password. Give it to the person by a safe channel.
accounts-disable-title = Disable the account
accounts-disable-link = Disable this account…
# $name: the account's name
accounts-disable-question = Disable the account { $name }?
accounts-disable-final = It can no longer sign in, its sessions end and its API tokens stop working. An account is never enabled again: add a new one if needed.
accounts-disable-submit = Disable the account
accounts-disable-cancel = Cancel
tokens-title = API tokens
tokens-none = This account has no API token.
# $name: the account's name
tokens-caption = API tokens of { $name }
tokens-col-label = Label
tokens-col-created = Created
tokens-col-last-used = Last used
tokens-col-state = State
tokens-col-action = Action
tokens-never-used = never
tokens-active = active
# $when: the date and time
tokens-revoked-since = revoked since { $when }
tokens-revoke = Revoke
# $label: the token's label
tokens-revoke-which = the token { $label }
tokens-label = Label of a new token
tokens-label-hint = What it is for, for example “nightly export”
tokens-create = Create a token
tokens-created-title = API token created
# $name: the account's name
tokens-created-intro = This token acts as { $name }, with its roles, sent as “Authorization: Bearer <token>”. Copy it into the system that uses it.

## The operations overview
nav-dashboard = Operations
overview-title = Operations
overview-progress = { $finished } of { $total }
overview-sending-title = Circulars in delivery
overview-sending-none = No circular is being sent, and none finished in the last 24 hours.
overview-sending-caption = Circulars being sent, and those finished in the last 24 hours, newest first
overview-column-circular = Circular
overview-column-subject = Subject
overview-column-state = State
overview-column-progress = Recipients with a final state
overview-relays-title = Relays
overview-relays-caption = Each relay's limits in force and its mails of the last minute, over every dispatcher
overview-column-relay = Relay
overview-column-rate = Rate limit
overview-column-connections = Connections at most
overview-column-sent = Accepted, last minute
overview-column-failed = Failed, last minute
overview-column-dispatchers = Dispatchers reporting
overview-rate = { $rate ->
    [one] one mail a second
   *[other] { $rate } mails a second
}
overview-rate-none = no limit
overview-unmatched-title = Returned mail that matched no delivery
overview-unmatched-count = { $count ->
    [0] No returned mail is left unmatched.
    [one] One returned mail matched no delivery we sent.
   *[other] { $count } returned mails matched no delivery we sent.
}
overview-unmatched-caption = The newest unmatched returned mail
overview-column-to = Addressed to
overview-column-why = Why it matched nothing
overview-refusals-title = The bounce intake's refusals
overview-refusals-caption = Connections and messages the bounce intake refused, per reason
overview-column-reason = Reason
overview-column-hour = This hour
overview-column-day = Last 24 hours
refusal-client-refused = Client refused (not allowed, or too many connections)
refusal-rate-limited = Client sending too fast
refusal-recipient-refused = Recipient refused (not a bounce address)
refusal-too-big = Message too big
refusal-too-many-recipients = Too many recipients in one message
refusal-not-stored = Message could not be stored
limits-title = Change a relay's limits
limits-relay = Relay
limits-rate = Mails a second at most
limits-rate-hint = 0 for no limit; leave empty to keep the rate in force.
limits-connections = Connections at most
limits-connections-hint = Up to the configured number; leave empty to keep the number in force.
limits-button = Set the limits for every dispatcher
limits-not-a-number = “{ $value }” is not a whole number.
