//! Form fields and their errors, said twice as GOV.UK does: beside the field and in a summary
//! at the top of the page whose every line links to its field.
//!
//! A page builds a [`Field`] per control (its label, hint, error and value already in the
//! page's language) and renders it with the `field` macro of `templates/fields.html`, which
//! wires `for`, `id` and `aria-describedby` from [`Field::id`], [`Field::hint_id`] and
//! [`Field::error_id`]; the [`ErrorSummary`] of the same fields goes to the layout.

/// The kind of an `<input>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// `type="text"`.
    Text,
    /// `type="password"`.
    Password,
    /// `type="email"`.
    Email,
    /// `type="number"`.
    Number,
    /// `type="date"`.
    Date,
    /// `type="search"`.
    Search,
}

impl InputKind {
    /// The value of the `type` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Text => "text",
            InputKind::Password => "password",
            InputKind::Email => "email",
            InputKind::Number => "number",
            InputKind::Date => "date",
            InputKind::Search => "search",
        }
    }
}

/// One option of a `<select>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// What the form sends.
    pub value: String,
    /// What the person reads.
    pub label: String,
}

/// The control a [`Field`] renders as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// An `<input>` of a kind, with its `autocomplete` token (`username`, `current-password`,
    /// `off`, …) when there is one.
    Input {
        /// The input's type.
        kind: InputKind,
        /// The `autocomplete` attribute.
        autocomplete: Option<&'static str>,
    },
    /// A `<textarea>` of some rows.
    Textarea {
        /// The visible lines.
        rows: u32,
    },
    /// A `<select>` of choices; the one whose value is the field's is selected.
    Select {
        /// The options, in order.
        choices: Vec<Choice>,
    },
}

/// One labelled form control with its hint, its error and the value to show again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The form field's name, also its `id` (so the error summary links `#name`): letters,
    /// digits, `-` and `_`, unique on the page.
    pub name: &'static str,
    /// The label, in the page's language.
    pub label: String,
    /// A hint under the label, when there is one.
    pub hint: Option<String>,
    /// What is wrong with the value sent, in the same words as the CLI and the API.
    pub error: Option<String>,
    /// The value shown (what was sent, so that nothing typed is lost); never set for passwords.
    pub value: String,
    /// Whether the form cannot be sent without it (`required`).
    pub required: bool,
    /// The control.
    pub control: Control,
}

impl Field {
    /// A field with `control`, label `label`, and nothing else yet.
    pub fn new(name: &'static str, label: String, control: Control) -> Field {
        Field {
            name,
            label,
            hint: None,
            error: None,
            value: String::new(),
            required: false,
            control,
        }
    }

    /// A one-line text input.
    pub fn text(name: &'static str, label: String) -> Field {
        Field::input(name, label, InputKind::Text)
    }

    /// An `<input>` of `kind`.
    pub fn input(name: &'static str, label: String, kind: InputKind) -> Field {
        Field::new(
            name,
            label,
            Control::Input {
                kind,
                autocomplete: None,
            },
        )
    }

    /// A password input (its value is never shown again).
    pub fn password(name: &'static str, label: String) -> Field {
        Field::input(name, label, InputKind::Password)
    }

    /// A text area of `rows` lines.
    pub fn textarea(name: &'static str, label: String, rows: u32) -> Field {
        Field::new(name, label, Control::Textarea { rows })
    }

    /// A `<select>` of `choices`.
    pub fn select(name: &'static str, label: String, choices: Vec<Choice>) -> Field {
        Field::new(name, label, Control::Select { choices })
    }

    /// The same with a hint.
    pub fn with_hint(mut self, hint: String) -> Field {
        self.hint = Some(hint);
        self
    }

    /// The same with an error (or none).
    pub fn with_error(mut self, error: Option<String>) -> Field {
        self.error = error;
        self
    }

    /// The same showing `value` (ignored for passwords: a page never sends one back).
    pub fn with_value(mut self, value: impl Into<String>) -> Field {
        let is_password = matches!(
            self.control,
            Control::Input {
                kind: InputKind::Password,
                ..
            }
        );
        if !is_password {
            self.value = value.into();
        }
        self
    }

    /// The same with an `autocomplete` token (for inputs; ignored for other controls).
    pub fn with_autocomplete(mut self, token: &'static str) -> Field {
        if let Control::Input { autocomplete, .. } = &mut self.control {
            *autocomplete = Some(token);
        }
        self
    }

    /// The same, required.
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// The control's `id`, which its label's `for` names.
    pub fn id(&self) -> &str {
        self.name
    }

    /// The hint's `id`, when there is a hint.
    pub fn hint_id(&self) -> Option<String> {
        self.hint.as_ref().map(|_| format!("{}-hint", self.name))
    }

    /// The error message's `id`, when there is an error.
    pub fn error_id(&self) -> Option<String> {
        self.error.as_ref().map(|_| format!("{}-error", self.name))
    }

    /// The control's `aria-describedby`: the hint's and the error's ids, when there are any.
    pub fn described_by(&self) -> Option<String> {
        let ids: Vec<String> = self.hint_id().into_iter().chain(self.error_id()).collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    /// Whether `choice` is the selected option of a `<select>`.
    pub fn is_selected(&self, choice: &Choice) -> bool {
        choice.value == self.value
    }
}

/// One line of the error summary: the message and the id of the field it links to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryItem {
    /// The id of the field (the link is `#target`).
    pub target: String,
    /// The message, as beside the field.
    pub message: String,
}

/// The box at the top of a form's page listing every error, each a link to its field. Empty:
/// not shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorSummary {
    items: Vec<SummaryItem>,
}

impl ErrorSummary {
    /// The errors of `fields`, in the order of the fields (the page's order).
    pub fn of_fields<'f>(fields: impl IntoIterator<Item = &'f Field>) -> ErrorSummary {
        let items = fields
            .into_iter()
            .filter_map(|f| {
                f.error.as_ref().map(|message| SummaryItem {
                    target: f.id().to_owned(),
                    message: message.clone(),
                })
            })
            .collect();
        ErrorSummary { items }
    }

    /// Adds an error that concerns the form as a whole (such as a refused sign-in), linking to
    /// the field where fixing it starts.
    pub fn push(&mut self, target: &str, message: String) {
        self.items.push(SummaryItem {
            target: target.to_owned(),
            message,
        });
    }

    /// The lines, in order.
    pub fn items(&self) -> &[SummaryItem] {
        &self.items
    }

    /// Whether there is no error.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_describes_itself_by_its_hint_and_error() {
        let plain = Field::text("subject", "Subject".into());
        assert_eq!(plain.id(), "subject");
        assert_eq!(plain.described_by(), None);
        let hinted = plain.clone().with_hint("One line".into());
        assert_eq!(hinted.described_by().as_deref(), Some("subject-hint"));
        let both = hinted.with_error(Some("Enter a subject".into()));
        assert_eq!(both.error_id().as_deref(), Some("subject-error"));
        assert_eq!(
            both.described_by().as_deref(),
            Some("subject-hint subject-error")
        );
        let error_only = plain.with_error(Some("Enter a subject".into()));
        assert_eq!(error_only.described_by().as_deref(), Some("subject-error"));
    }

    #[test]
    fn a_password_is_never_shown_again() {
        let password = Field::password("password", "Password".into()).with_value("secret");
        assert_eq!(password.value, "");
        let name = Field::text("name", "Name".into()).with_value("ana");
        assert_eq!(name.value, "ana");
    }

    #[test]
    fn autocomplete_applies_to_inputs_only() {
        let name = Field::text("name", "Name".into()).with_autocomplete("username");
        assert_eq!(
            name.control,
            Control::Input {
                kind: InputKind::Text,
                autocomplete: Some("username")
            }
        );
        let body = Field::textarea("body", "Body".into(), 10).with_autocomplete("off");
        assert_eq!(body.control, Control::Textarea { rows: 10 });
    }

    #[test]
    fn the_summary_lists_the_errors_in_field_order_then_the_form_s() {
        let fields = [
            Field::text("a", "A".into()).with_error(Some("A is wrong".into())),
            Field::text("b", "B".into()),
            Field::text("c", "C".into()).with_error(Some("C is wrong".into())),
        ];
        let mut summary = ErrorSummary::of_fields(&fields);
        summary.push("a", "Try again".into());
        let lines: Vec<(&str, &str)> = summary
            .items()
            .iter()
            .map(|i| (i.target.as_str(), i.message.as_str()))
            .collect();
        assert_eq!(
            lines,
            [("a", "A is wrong"), ("c", "C is wrong"), ("a", "Try again")]
        );
        assert!(ErrorSummary::of_fields(&fields[1..2]).is_empty());
    }

    #[test]
    fn a_select_knows_its_selected_choice() {
        let choices = vec![
            Choice {
                value: "en".into(),
                label: "English".into(),
            },
            Choice {
                value: "fr".into(),
                label: "Français".into(),
            },
        ];
        let field = Field::select("language", "Language".into(), choices.clone()).with_value("fr");
        assert!(!field.is_selected(&choices[0]));
        assert!(field.is_selected(&choices[1]));
    }
}
