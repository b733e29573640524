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
