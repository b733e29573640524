//! The draft form's file input (annex files) beyond [`Field`](crate::console::Field) and
//! [`Checkboxes`](crate::console::Checkboxes): its label, hint and error, drawn by the `file`
//! macro of `templates/drafting/controls.html`.

/// A file input (`multiple`), with its label, hint and error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInput {
    /// The form field's name, also its `id`.
    pub name: &'static str,
    /// The label, in the page's language.
    pub label: String,
    /// A hint under the label.
    pub hint: Option<String>,
    /// What is wrong, in the CLI's words.
    pub error: Option<String>,
}

impl FileInput {
    /// The control's `aria-describedby`: the hint's and the error's ids.
    pub fn described_by(&self) -> Option<String> {
        described_by(self.name, self.hint.is_some(), self.error.is_some())
    }
}

/// `"{name}-hint {name}-error"`, as far as there are a hint and an error.
fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [(hint, "hint"), (error, "error")]
        .iter()
        .filter(|(present, _)| *present)
        .map(|(_, part)| format!("{name}-{part}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}
