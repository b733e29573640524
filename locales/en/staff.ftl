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
failure-title = Something went wrong
failure-text = The server failed and nothing was changed. Try again; if it fails again, tell the operators.

## The directory (admins; operators search and explain)
directory-title = Directory
directory-forbidden = Your account cannot do this: it needs the admin or the operator role.
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
