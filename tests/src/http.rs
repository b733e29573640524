//! A small HTTP/1.1 client over a plain TCP stream, for talking to the gateway on loopback
//! exactly as a mail client or a staff system would, status line and headers included.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP answer: status code, headers (names lower-cased) and body.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body (de-chunked).
    pub body: String,
}

impl Reply {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one HTTP/1.1 request to `url` with a `Content-Type` when given, and reads the answer.
pub async fn http(method: &str, url: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
    let headers: Vec<(&str, &str)> = content_type
        .map(|t| ("Content-Type", t))
        .into_iter()
        .collect();
    request(method, url, &headers, body).await
}

/// Sends one HTTP/1.1 request to `url` (`http://127.0.0.1:PORT/path`) with `headers`, and reads
/// the answer.
pub async fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    // A server refusing a body may answer and close before reading it all: keep the answer.
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if !raw.is_empty() => {
                eprintln!("reading the answer stopped: {e}");
                break;
            }
            Err(e) => panic!("{method} {url}: no answer: {e}"),
        }
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{method} {url}: {}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{method} {url}: {head}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// The payload of a `Transfer-Encoding: chunked` body.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = std::str::from_utf8(&raw[..line_end]).unwrap();
        let size = usize::from_str_radix(size.split(';').next().unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&raw[start..start + size]);
        raw = &raw[start + size + 2..];
    }
}

/// One server-sent event as a browser's `EventSource` hands it over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerEvent {
    /// Its `event:` name (`message` when none).
    pub event: String,
    /// Its `id:`, when it has one.
    pub id: Option<String>,
    /// Its `data:` lines, joined with `\n`.
    pub data: String,
}

/// A stream of server-sent events read as it arrives (asked for over HTTP/1.0, so that the
/// body is the stream itself, ended by the server closing).
pub struct EventStream {
    stream: tokio::net::TcpStream,
    buffered: Vec<u8>,
}

impl EventStream {
    /// Opens `url` with `headers`: the stream when the answer is `200`, else the answer.
    pub async fn open(url: &str, headers: &[(&str, &str)]) -> Result<EventStream, Reply> {
        let rest = url.strip_prefix("http://").expect("an http:// URL");
        let (authority, path) = rest.split_at(rest.find('/').expect("a path"));
        let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
        let mut ask =
            format!("GET {path} HTTP/1.0\r\nHost: {authority}\r\nAccept: text/event-stream\r\n");
        for (name, value) in headers {
            ask.push_str(&format!("{name}: {value}\r\n"));
        }
        ask.push_str("\r\n");
        stream.write_all(ask.as_bytes()).await.unwrap();
        let mut events = EventStream {
            stream,
            buffered: Vec::new(),
        };
        let head = events.until(b"\r\n\r\n").await.expect("an answer's head");
        let head = String::from_utf8(head).unwrap();
        let status: u16 = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("GET {url}: {head}"));
        if status == 200 {
            return Ok(events);
        }
        let mut body = std::mem::take(&mut events.buffered);
        let _ = events.stream.read_to_end(&mut body).await;
        Err(Reply {
            status,
            headers: head
                .split("\r\n")
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// The bytes up to `end` (without it), reading more as needed; `None` once the server closed.
    async fn until(&mut self, end: &[u8]) -> Option<Vec<u8>> {
        let mut buf = [0u8; 8192];
        loop {
            if let Some(at) = self.buffered.windows(end.len()).position(|w| w == end) {
                let taken: Vec<u8> = self.buffered.drain(..at + end.len()).collect();
                return Some(taken[..at].to_vec());
            }
            match self.stream.read(&mut buf).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buffered.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// The next event (comments such as keep-alives skipped), or `None` when the server closed
    /// the stream or none came within `patience`.
    pub async fn next(&mut self, patience: std::time::Duration) -> Option<ServerEvent> {
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            let block = tokio::time::timeout_at(deadline, self.until(b"\n\n"))
                .await
                .ok()??;
            let block = String::from_utf8(block).unwrap();
            let mut event = ServerEvent::default();
            let mut data: Vec<&str> = Vec::new();
            for line in block.lines() {
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event.event = value.to_owned(),
                    "id" => event.id = Some(value.to_owned()),
                    "data" => data.push(value),
                    _ => {}
                }
            }
            if data.is_empty() {
                continue;
            }
            if event.event.is_empty() {
                event.event = "message".to_owned();
            }
            event.data = data.join("\n");
            return Some(event);
        }
    }
}
