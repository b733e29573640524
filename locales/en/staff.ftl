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
