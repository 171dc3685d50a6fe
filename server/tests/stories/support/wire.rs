//! A phone's side of HTTP, as plainly as it gets on a bad link: one request per connection, any
//! failure an error the caller retries; and the real `athar` binary to talk to.

use app::server::demo::{DEMO_LOGINS, DEMO_PASSWORD};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Starts the `athar` binary built with these tests (or benchmarks) on `url`, at `port`, with the
/// demo data.
pub fn start(url: &str, port: u16) -> Child {
    start_with(url, port, &["--demo"])
}

/// Starts the `athar` binary on `url`, at `port`, with these options of `serve`.
pub fn start_with(url: &str, port: u16, options: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_athar"))
        .args(["--database-url", url, "serve", "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .args(options)
        .env("ATHAR_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start athar")
}

/// Running `athar` processes, killed when dropped (a failed test leaves none behind).
pub struct Servers(pub Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for server in &mut self.0 {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// One HTTP/1.1 POST on a fresh connection (`Connection: close`), as plainly as a phone on a bad
/// link: any failure is an error the caller retries.
pub async fn request(
    port: u16,
    path: &str,
    kind: &str,
    cookie: &str,
    body: &str,
) -> std::io::Result<Reply> {
    exchange(
        port,
        "POST",
        path,
        &[
            ("Content-Type", kind),
            ("Accept", "application/json"),
            ("Cookie", cookie),
        ],
        body.as_bytes(),
    )
    .await
}

/// One HTTP/1.1 request of any method on a fresh connection, with these headers and bytes.
pub async fn exchange(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (headers, body) = match text.split_once("\r\n\r\n") {
        Some(parts) => parts,
        // A HEAD's answer may end with its headers.
        None if method == "HEAD" && text.ends_with("\r\n") => (text.trim_end(), ""),
        None => return Err(std::io::Error::other("cut answer")),
    };
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let body = if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body).ok_or_else(|| std::io::Error::other("cut chunked answer"))?
    } else {
        body.to_owned()
    };
    Ok(Reply {
        status,
        headers: headers.to_owned(),
        body,
    })
}

impl Reply {
    /// The value of header `name`, if the answer has it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }
}

fn dechunk(mut rest: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, tail) = rest.split_once("\r\n")?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.push_str(tail.get(..size)?);
        rest = tail.get(size + 2..)?;
    }
}

pub async fn wait_healthy(port: u16) {
    for _ in 0..400 {
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let _ = s
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .await;
            let mut raw = Vec::new();
            if s.read_to_end(&mut raw).await.is_ok() && raw.starts_with(b"HTTP/1.1 200") {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("athar did not answer /healthz");
}

/// Signs in as the demo facilitator; the session cookie.
pub async fn sign_in(port: u16) -> String {
    sign_in_as(port, DEMO_LOGINS[0].0).await
}

/// Signs in as a demo user (the demo password); the session cookie.
pub async fn sign_in_as(port: u16, email: &str) -> String {
    let form = format!(
        "email={}&password={DEMO_PASSWORD}",
        email.replace('@', "%40")
    );
    let login = request(
        port,
        "/api/login",
        "application/x-www-form-urlencoded",
        "",
        &form,
    )
    .await
    .expect("sign in");
    login
        .headers
        .lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, v)| v.trim())
        // `__Host-athar_session` by default; `athar_session` with `--insecure-cookies`.
        .find(|v| v.starts_with("athar_session=") || v.starts_with("__Host-athar_session="))
        .and_then(|v| v.split(';').next())
        .expect("session cookie")
        .to_owned()
}

/// The id of the signed-in facilitator's first project.
pub async fn first_project(port: u16, cookie: &str) -> String {
    let cards = request(
        port,
        "/api/list_projects",
        "application/x-www-form-urlencoded",
        cookie,
        "",
    )
    .await
    .expect("projects");
    let cards: serde_json::Value = serde_json::from_str(&cards.body).expect("json");
    cards[0]["id"].as_str().expect("a project").to_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// A sync call with this build's versions around `body`.
pub fn call(body: &str) -> String {
    format!(r#"{{"call":{{"protocol":1,"schema":1,"body":{body}}}}}"#)
}
