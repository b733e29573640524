//! The draft form's controls beyond [`Field`](crate::console::Field): a group of checkboxes
//! (the categories, the copy list, the annexes kept) and a file input (annex files), each
//! with its hint and error, drawn by the macros of `templates/drafting/controls.html`.

use crate::console::form::Choice;

/// A group of checkboxes in a `<fieldset>`: its legend, hint, error, and each box ticked or
/// not. The first box's `id` is the group's name, so that the error summary links to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkboxes {
    /// The form field's name (every box sends its value under it).
    pub name: &'static str,
    /// The legend, in the page's language.
    pub legend: String,
    /// A hint under the legend.
    pub hint: Option<String>,
    /// What is wrong, in the CLI's words.
    pub error: Option<String>,
    /// The boxes: the choice and whether it is ticked.
    pub boxes: Vec<(Choice, bool)>,
}

impl Checkboxes {
    /// The group `name` of `choices`, those in `ticked` ticked; a ticked value that is no
    /// choice (a category since removed) is shown too, so that nothing typed is lost.
    pub fn new(
        name: &'static str,
        legend: String,
        choices: &[Choice],
        ticked: &[String],
    ) -> Checkboxes {
        let mut boxes: Vec<(Choice, bool)> = choices
            .iter()
            .map(|c| (c.clone(), ticked.contains(&c.value)))
            .collect();
        for value in ticked {
            if !choices.iter().any(|c| c.value == *value) {
                let choice = Choice {
                    value: value.clone(),
                    label: value.clone(),
                };
                boxes.push((choice, true));
            }
        }
        Checkboxes {
            name,
            legend,
            hint: None,
            error: None,
            boxes,
        }
    }

    /// The `id` of box `index` (the first is the group's name).
    pub fn box_id(&self, index: &usize) -> String {
        if *index == 0 {
            self.name.to_owned()
        } else {
            format!("{}-{index}", self.name)
        }
    }

    /// The fieldset's `aria-describedby`: the hint's and the error's ids.
    pub fn described_by(&self) -> Option<String> {
        described_by(self.name, self.hint.is_some(), self.error.is_some())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticked_value_that_is_no_longer_a_choice_is_kept_ticked() {
        let choices = [Choice {
            value: "academia".into(),
            label: "Academia".into(),
        }];
        let group = Checkboxes::new(
            "categories",
            "Categories".into(),
            &choices,
            &["galaxies".to_owned()],
        );
        let shown: Vec<(&str, bool)> = group
            .boxes
            .iter()
            .map(|(c, ticked)| (c.value.as_str(), *ticked))
            .collect();
        assert_eq!(shown, [("academia", false), ("galaxies", true)]);
        assert_eq!(
            (group.box_id(&0), group.box_id(&1)),
            ("categories".into(), "categories-1".into())
        );
        assert_eq!(group.described_by(), None);
    }
}
