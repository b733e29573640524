//! A group of checkboxes sharing one name (`roles=drafter&roles=admin`): its legend, hint,
//! error and boxes, drawn by the `checkboxes` macro of `templates/fields.html`.

/// One box of a [`Checkboxes`] group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckOption {
    /// What the form sends when it is ticked.
    pub value: String,
    /// What the person reads beside it.
    pub label: String,
    /// Whether it is ticked.
    pub checked: bool,
}

/// A group of checkboxes sharing one name (`roles=drafter&roles=admin`), drawn by the
/// `checkboxes` macro of `templates/fields.html` as a fieldset whose legend asks the question,
/// with its hint and error wired as a [`super::Field`]'s are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkboxes {
    /// The form field's name, also the prefix of each box's `id` (`roles-drafter`).
    pub name: &'static str,
    /// The question the group answers (the fieldset's legend).
    pub legend: String,
    /// A hint under the legend, when there is one.
    pub hint: Option<String>,
    /// What is wrong with the choice sent.
    pub error: Option<String>,
    /// The boxes, in order.
    pub options: Vec<CheckOption>,
}

impl Checkboxes {
    /// A group named `name` asking `legend`, with `options` as `(value, label)`, none ticked.
    pub fn new(name: &'static str, legend: String, options: Vec<(String, String)>) -> Checkboxes {
        Checkboxes {
            name,
            legend,
            hint: None,
            error: None,
            options: options
                .into_iter()
                .map(|(value, label)| CheckOption {
                    value,
                    label,
                    checked: false,
                })
                .collect(),
        }
    }

    /// The same with a hint.
    pub fn with_hint(mut self, hint: String) -> Checkboxes {
        self.hint = Some(hint);
        self
    }

    /// The same with an error (or none).
    pub fn with_error(mut self, error: Option<String>) -> Checkboxes {
        self.error = error;
        self
    }

    /// The same with the boxes whose value is in `values` ticked, the others not.
    pub fn with_checked<'v>(mut self, values: impl IntoIterator<Item = &'v str>) -> Checkboxes {
        let values: Vec<&str> = values.into_iter().collect();
        for option in &mut self.options {
            option.checked = values.contains(&option.value.as_str());
        }
        self
    }

    /// The same with `values` ticked, and each of them that is no box (a category removed
    /// since it was chosen) added as a ticked box of its own, so that nothing sent is lost.
    pub fn with_kept<'v>(self, values: impl IntoIterator<Item = &'v str>) -> Checkboxes {
        let values: Vec<&str> = values.into_iter().collect();
        let mut group = self.with_checked(values.iter().copied());
        for value in values {
            if !group.options.iter().any(|o| o.value == value) {
                group.options.push(CheckOption {
                    value: value.to_owned(),
                    label: value.to_owned(),
                    checked: true,
                });
            }
        }
        group
    }

    /// The `id` of box `index`: the group's name for the first (where the error summary
    /// leads), `name-index` for the others; values (file names among them) make no ids.
    pub fn box_id(&self, index: &usize) -> String {
        if *index == 0 {
            self.name.to_owned()
        } else {
            format!("{}-{index}", self.name)
        }
    }

    /// Where the error summary leads: the first box or, in a group without boxes, the
    /// fieldset (both have the group's name as `id`).
    pub fn first_id(&self) -> String {
        self.name.to_owned()
    }

    /// The fieldset's `aria-describedby`: the hint's and the error's ids, when there are any.
    pub fn described_by(&self) -> Option<String> {
        let ids: Vec<String> = [
            self.hint.as_ref().map(|_| format!("{}-hint", self.name)),
            self.error.as_ref().map(|_| format!("{}-error", self.name)),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkbox_group_ticks_what_was_sent_and_leads_to_its_first_box() {
        let group = Checkboxes::new(
            "roles",
            "Roles".into(),
            vec![
                ("drafter".into(), "Drafter".into()),
                ("admin".into(), "Admin".into()),
            ],
        )
        .with_checked(["admin", "boss"]);
        let ticked: Vec<bool> = group.options.iter().map(|o| o.checked).collect();
        assert_eq!(ticked, [false, true]);
        assert_eq!(
            (group.box_id(&0), group.box_id(&1)),
            ("roles".into(), "roles-1".into())
        );
        assert_eq!(group.first_id(), "roles");
        assert_eq!(group.described_by(), None);
        let group = group
            .with_hint("One or more".into())
            .with_error(Some("Choose a role".into()));
        assert_eq!(
            group.described_by().as_deref(),
            Some("roles-hint roles-error")
        );
    }

    #[test]
    fn a_ticked_value_that_is_no_longer_a_choice_is_kept_ticked() {
        let group = Checkboxes::new(
            "categories",
            "Categories".into(),
            vec![("academia".into(), "Academia".into())],
        )
        .with_kept(["galaxies"]);
        let shown: Vec<(&str, bool)> = group
            .options
            .iter()
            .map(|o| (o.value.as_str(), o.checked))
            .collect();
        assert_eq!(shown, [("academia", false), ("galaxies", true)]);
    }
}
