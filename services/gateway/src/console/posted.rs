//! A posted form's fields read from the body's bytes, after the handler has checked the role
//! it needs.

/// The fields of a posted form (`application/x-www-form-urlencoded`), read leniently from the
/// body's bytes so that a handler can check the role it needs before anything of the body
/// matters: a name may repeat (a checkbox group).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Posted {
    fields: Vec<(String, String)>,
}

impl Posted {
    /// The fields of `body`.
    pub fn parse(body: &[u8]) -> Posted {
        Posted {
            fields: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_posted_form_keeps_repeated_names_in_order() {
        let form = Posted::parse(b"csrf=t&roles=drafter&name=b%C3%A9a+x&roles=admin");
        assert_eq!(form.get("csrf"), Some("t"));
        assert_eq!(form.get("name"), Some("béa x"));
        assert_eq!(form.all("roles"), ["drafter", "admin"]);
        assert_eq!(form.get("missing"), None);
        assert!(Posted::parse(b"").all("roles").is_empty());
    }
}
