//! What the console's drafting stories share: a signed-in member of staff talking HTTP to the
//! gateway as their browser would (the session cookie, same-origin form posts), the draft
//! form's `multipart/form-data` body, and a gateway whose annex files are at most
//! [`MAX_ANNEX_BYTES`].
#![allow(dead_code)]

use circulars_core::domain::{Circular, Language};
use circulars_tests::http::{request, Reply};
use circulars_tests::{workspace, Db, Harness, Setup};

/// The largest annex file of these stories' configuration.
pub const MAX_ANNEX_BYTES: usize = 4096;

/// A signed-in member of staff's browser: the session cookie and the gateway.
pub struct Browser<'a> {
    pub h: &'a Harness,
    pub cookie: String,
}

impl<'a> Browser<'a> {
    /// Signs in as `name` (an account made with `roles`).
    pub async fn sign_in(h: &'a Harness, name: &str, roles: &[&str]) -> Browser<'a> {
        let password = h.staff_account(name, roles);
        let body = format!("name={name}&password={}", percent(&password));
        let reply = request(
            "POST",
            &format!("{}/staff/sign-in", h.gateway_url()),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        let cookie = reply
            .header("set-cookie")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Browser { h, cookie }
    }

    pub async fn get(&self, path: &str) -> Reply {
        let url = format!("{}{path}", self.h.gateway_url());
        request("GET", &url, &[("Cookie", &self.cookie)], b"").await
    }

    pub async fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        let url = format!("{}{path}", self.h.gateway_url());
        let headers = [
            ("Cookie", self.cookie.as_str()),
            ("Content-Type", content_type),
            ("Origin", &self.h.gateway_url()),
            ("Sec-Fetch-Site", "same-origin"),
        ];
        request("POST", &url, &headers, body).await
    }

    /// Posts the draft form `form` with `files` (field, file name, content) to `path`.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(String, String)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let (content_type, body) = multipart(form, files);
        self.post(path, &content_type, &body).await
    }
}

pub fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A `multipart/form-data` body of text fields and files.
pub fn multipart(fields: &[(String, String)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----drafting-boundary-7d1";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (field, file_name, content) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The sample circular TSB-36 as the draft form sends it, with the page's CSRF token.
pub fn sample_form(csrf: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(workspace().join("samples/circulars/tsb-36.toml")).unwrap();
    let c = Circular::from_toml("tsb-36.toml", &text).unwrap();
    let mut form: Vec<(String, String)> = [
        ("csrf", csrf.to_owned()),
        ("series", c.series.clone()),
        ("number", c.number.to_string()),
        ("reference", c.reference.clone()),
        ("date", c.date.to_string()),
        ("contact-name", c.contact.name.clone()),
        ("contact-email", c.contact.email.clone()),
        ("contact-tel", c.contact.tel.clone().unwrap_or_default()),
        ("signatory", c.signatory.clone().unwrap_or_default()),
        ("topic", String::new()),
        ("fallback-language", "en".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for category in &c.categories {
        form.push(("categories".into(), category.id().to_owned()));
    }
    for category in &c.copy {
        form.push(("copy".into(), category.id().to_owned()));
    }
    for language in Language::ALL {
        let t = &c.texts[&language];
        form.push((format!("subject-{language}"), t.subject.clone()));
        form.push((
            format!("reference-{language}"),
            t.reference.clone().unwrap_or_default(),
        ));
        form.push((format!("body-{language}"), t.body.clone()));
    }
    form
}

/// `form` with field `name` set to `value`.
pub fn with(mut form: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    for (n, v) in &mut form {
        if n == name {
            *v = value.to_owned();
        }
    }
    form
}

/// The CSRF token of the first form of `html`.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// A harness whose annex files are at most [`MAX_ANNEX_BYTES`], serving the gateway.
pub async fn drafting_harness(db: Db, approval_required: bool) -> Harness {
    let mut h = Harness::start_setup(Setup {
        approval_required,
        ..Setup::new(db)
    })
    .await;
    let config = h.dir().join("circulars.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("\n[mail]\nmax_annex_bytes = {MAX_ANNEX_BYTES}\n"));
    std::fs::write(&config, text).unwrap();
    h.serve("gateway");
    h
}
