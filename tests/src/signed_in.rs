//! A member of staff signed in to the console over plain HTTP, as a browser without script
//! would be: the session cookie kept from the sign-in, each form posted with the session's CSRF
//! token read from a page (the hidden `csrf` field every signed-in page carries), files sent as
//! `multipart/form-data`; and the same stories' calls to the API with a token.

use crate::http::{request, Reply};
use crate::Harness;
use serde_json::Value;

/// A signed-in session of the console.
pub struct SignedIn {
    base: String,
    cookie: String,
    csrf: String,
}

/// Why signing in did not give a session: the page answered instead.
#[derive(Debug)]
pub struct NotSignedIn(pub Reply);

impl SignedIn {
    /// Signs `name` in with `password` at the gateway `base` (`http://127.0.0.1:PORT`), then
    /// reads the CSRF token from the first page.
    pub async fn sign_in(base: &str, name: &str, password: &str) -> Result<SignedIn, NotSignedIn> {
        let body = form(&[("name", name), ("password", password)]);
        let reply = request(
            "POST",
            &format!("{base}/staff/sign-in"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
        .await;
        let cookie = reply
            .headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| v.strip_prefix("circulars_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_owned);
        let Some(cookie) = cookie.filter(|_| reply.status == 303) else {
            return Err(NotSignedIn(reply));
        };
        let mut signed_in = SignedIn {
            base: base.to_owned(),
            cookie,
            csrf: String::new(),
        };
        let page = signed_in.get("/staff/directory").await;
        signed_in.csrf = csrf_of(&page.body)
            .unwrap_or_else(|| panic!("no CSRF token on a signed-in page: {}", page.body));
        Ok(signed_in)
    }

    /// The `Cookie` header of the session.
    pub fn cookie(&self) -> String {
        format!("circulars_session={}", self.cookie)
    }

    /// The session's CSRF token, as its pages' forms carry it.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// `GET path` (with its query) in the session.
    pub async fn get(&self, path: &str) -> Reply {
        let cookie = self.cookie();
        request(
            "GET",
            &format!("{}{path}", self.base),
            &[("Cookie", cookie.as_str())],
            b"",
        )
        .await
    }

    /// Posts the form `fields` to `path` with the session's CSRF token, as a page's form does.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut fields = fields.to_vec();
        fields.insert(0, ("csrf", self.csrf.as_str()));
        self.post_raw(path, &fields).await
    }

    /// Posts exactly the form `fields` to `path` (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let cookie = self.cookie();
        request(
            "POST",
            &format!("{}{path}", self.base),
            &[
                ("Cookie", cookie.as_str()),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form(fields).as_bytes(),
        )
        .await
    }

    /// Posts the text `fields` and the file `file` (`(field, file name, content)`) to `path`
    /// as `multipart/form-data`, with the session's CSRF token, as the import form does.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Reply {
        const BOUNDARY: &str = "circulars-tests-boundary-7f3a";
        let mut body = Vec::new();
        let csrf = [("csrf", self.csrf.as_str())];
        for (name, value) in csrf.iter().chain(fields) {
            body.extend_from_slice(
                format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (field, file_name, content) = file;
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; \
                 filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        let cookie = self.cookie();
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        request(
            "POST",
            &format!("{}{path}", self.base),
            &[
                ("Cookie", cookie.as_str()),
                ("Content-Type", content_type.as_str()),
            ],
            &body,
        )
        .await
    }
}

/// `fields` as an `application/x-www-form-urlencoded` body.
pub fn form(fields: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_of(html: &str) -> Option<String> {
    let needle = "name=\"csrf\" value=\"";
    let start = html.find(needle)? + needle.len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The text of the first element with `id="{id}"` (up to its first `<`), for a secret a page
/// shows once.
pub fn text_of_id(html: &str, id: &str) -> Option<String> {
    let needle = format!("id=\"{id}\">");
    let start = html.find(&needle)? + needle.len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].trim().to_owned())
}

/// `name` with `roles`, added with `circulars staff add` and signed in with the password it
/// printed.
pub async fn new_account_signed_in(h: &Harness, name: &str, roles: &[&str]) -> SignedIn {
    let password = h.staff_account(name, roles);
    SignedIn::sign_in(&h.gateway_url(), name, &password)
        .await
        .unwrap_or_else(|refused| panic!("{name} could not sign in: {:?}", refused.0))
}

/// Checks that a page answered `status` and shows each of `texts` (as HTML).
pub fn assert_page(reply: &Reply, status: u16, texts: &[&str]) {
    assert_eq!(reply.status, status, "{}", reply.body);
    for text in texts {
        assert!(reply.body.contains(text), "no {text:?} in {}", reply.body);
    }
}

/// A call to the staff API with `token` and, when given, a JSON `body`: the status and the
/// answer (a JSON string of the body when it is not JSON).
pub async fn api(
    h: &Harness,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("Authorization", bearer.as_str())];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    let text = body.map(Value::to_string).unwrap_or_default();
    let url = format!("{}{path}", h.gateway_url());
    let reply = request(method, &url, &headers, text.as_bytes()).await;
    let json = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body));
    (reply.status, json)
}
