//! The built front end (`target/site`), read into memory when the server starts.
//!
//! A server serves the files of the build it started with until it is restarted. A deploy that
//! copies a new build over `target/site` before restarting would otherwise hand phones files of
//! two builds, or a 404 for a name this build's service worker precaches, and a worker whose
//! install fails leaves a new phone without offline use. The service worker, the offline shell
//! and the pages already name this build's files (`app::server::assets`, read once); this makes
//! the files themselves hold still too. About 4 MB, and 3 MB more of compressed copies (below):
//! the release server idles near 30 MB with them.
//!
//! A release build made with `--precompress` has a brotli (quality 11) and a gzip copy beside each
//! file (`athar.<hash>.wasm.br`): those are sent to browsers that accept them, as they are. The
//! main WASM is then 14 % smaller on the wire than compressed on the fly (a quick quality, as a
//! server must use for answers it makes), about a second less of a first load at 50,000 B/s.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use http::{HeaderValue, Method};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// One file: its bytes, its compressed copies made by the build, and its content type.
struct File {
    bytes: axum::body::Bytes,
    brotli: Option<axum::body::Bytes>,
    gzip: Option<axum::body::Bytes>,
    content_type: HeaderValue,
}

/// The compressed copies the build may leave beside a file, best first.
const COPIES: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

/// Every file under the site root, by URL path (`/pkg/athar.<hash>.wasm`, `/icons/icon-192.png`).
#[derive(Clone, Default)]
pub struct SiteFiles {
    files: Arc<HashMap<String, File>>,
    pkg_prefix: Arc<str>,
}

impl SiteFiles {
    /// Reads every file under `root`. A missing root (a server built without its front end, as
    /// in the HTTP tests) holds nothing.
    pub fn load(root: &Path, pkg_dir: &str) -> std::io::Result<SiteFiles> {
        let mut files = HashMap::new();
        if root.is_dir() {
            read_dir(root, root, &mut files)?;
        }
        Ok(SiteFiles {
            files: Arc::new(files),
            pkg_prefix: format!("/{pkg_dir}/").into(),
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn response(&self, path: &str, accepted: &str) -> Option<Response> {
        let file = self.files.get(path)?;
        // Hashed names never change content: cache them for a year. The rest (the manifest,
        // icons) may change with a build under the same name.
        let cache = if path.starts_with(&*self.pkg_prefix) {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        let headers = [
            (CONTENT_TYPE, file.content_type.clone()),
            (CACHE_CONTROL, HeaderValue::from_static(cache)),
        ];
        let copy = COPIES
            .iter()
            .zip([&file.brotli, &file.gzip])
            .filter(|((coding, _), _)| accepts(accepted, coding))
            .find_map(|((coding, _), bytes)| Some((*coding, bytes.as_ref()?)));
        let mut response = match copy {
            Some((coding, bytes)) => (
                headers,
                [(CONTENT_ENCODING, HeaderValue::from_static(coding))],
                bytes.clone(),
            )
                .into_response(),
            None => (headers, file.bytes.clone()).into_response(),
        };
        if file.brotli.is_some() || file.gzip.is_some() {
            response
                .headers_mut()
                .insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
        Some(response)
    }
}

/// Whether an `Accept-Encoding` value takes `coding`: by its name, or else by `*`, with a
/// weight above 0 (`br;q=0, *` refuses brotli).
fn accepts(accepted: &str, coding: &str) -> bool {
    let weight = |name: &str| {
        accepted.split(',').find_map(|item| {
            let mut parts = item.split(';').map(str::trim);
            parts.next()?.eq_ignore_ascii_case(name).then(|| {
                parts
                    .find_map(|p| p.strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0)
            })
        })
    };
    weight(coding)
        .or_else(|| weight("*"))
        .is_some_and(|q| q > 0.0)
}

fn read_dir(root: &Path, dir: &Path, files: &mut HashMap<String, File>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            read_dir(root, &path, files)?;
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        // A compressed copy is read with the file it copies, never served by its own name.
        if COPIES.iter().any(|(_, ext)| url.ends_with(ext)) {
            continue;
        }
        let copy = |ext: &str| -> std::io::Result<Option<axum::body::Bytes>> {
            let mut name = path.clone().into_os_string();
            name.push(ext);
            match std::fs::read(&name) {
                Ok(bytes) => Ok(Some(bytes.into())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        };
        let mime = mime_guess::from_path(&path).first_or_octet_stream();
        let content_type = HeaderValue::from_str(mime.as_ref())
            .unwrap_or(HeaderValue::from_static("application/octet-stream"));
        files.insert(
            url,
            File {
                bytes: std::fs::read(&path)?.into(),
                brotli: copy(COPIES[0].1)?,
                gzip: copy(COPIES[1].1)?,
                content_type,
            },
        );
    }
    Ok(())
}

/// Answers GET and HEAD requests for a file of the build from memory; everything else goes on.
pub async fn serve(State(site): State<SiteFiles>, req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD)
        && let Some(response) = site.response(
            req.uri().path(),
            req.headers()
                .get(ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default(),
        )
    {
        return response;
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_once_and_a_build_copied_over_them_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg");
        std::fs::write(dir.path().join("pkg/athar.abc.wasm"), b"old build").expect("wasm");
        std::fs::write(dir.path().join("manifest.webmanifest"), b"{}").expect("manifest");
        let site = SiteFiles::load(dir.path(), "pkg").expect("loaded");
        assert_eq!(site.len(), 2);

        // The next build replaces the files under the running server.
        std::fs::remove_file(dir.path().join("pkg/athar.abc.wasm")).expect("removed");
        std::fs::write(dir.path().join("pkg/athar.def.wasm"), b"new build").expect("wasm");

        let response = site
            .response("/pkg/athar.abc.wasm", "")
            .expect("still served");
        assert_eq!(response.headers()[CONTENT_TYPE], "application/wasm");
        assert!(
            response.headers()[CACHE_CONTROL]
                .to_str()
                .unwrap_or_default()
                .contains("immutable")
        );
        assert!(site.response("/pkg/athar.def.wasm", "").is_none());
        assert_eq!(
            site.response("/manifest.webmanifest", "")
                .expect("served")
                .headers()[CACHE_CONTROL],
            "no-cache"
        );
    }

    #[test]
    fn a_compressed_copy_is_sent_to_browsers_that_take_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("pkg")).expect("pkg");
        std::fs::write(dir.path().join("pkg/athar.abc.wasm"), b"the module").expect("wasm");
        std::fs::write(dir.path().join("pkg/athar.abc.wasm.br"), b"brotli copy").expect("br");
        std::fs::write(dir.path().join("pkg/athar.abc.wasm.gz"), b"gzip copy").expect("gz");
        std::fs::write(dir.path().join("pkg/athar.abc.js"), b"glue").expect("js");
        let site = SiteFiles::load(dir.path(), "pkg").expect("loaded");
        // The copies are not files of their own.
        assert_eq!(site.len(), 2);
        assert!(site.response("/pkg/athar.abc.wasm.br", "br").is_none());

        let body = |r: Response| {
            let (parts, body) = r.into_parts();
            let bytes =
                futures::executor::block_on(axum::body::to_bytes(body, usize::MAX)).expect("body");
            (
                parts.headers.get(CONTENT_ENCODING).cloned(),
                parts.headers.get(VARY).cloned(),
                parts.headers[CONTENT_TYPE].clone(),
                bytes,
            )
        };
        let chromium = "gzip, deflate, br, zstd";
        let (coding, vary, kind, bytes) = body(
            site.response("/pkg/athar.abc.wasm", chromium)
                .expect("served"),
        );
        assert_eq!(coding.as_ref().map(|v| v.as_bytes()), Some(&b"br"[..]));
        assert_eq!(
            vary.as_ref().map(|v| v.as_bytes()),
            Some(&b"accept-encoding"[..])
        );
        assert_eq!(kind, "application/wasm");
        assert_eq!(&bytes[..], b"brotli copy");

        let (coding, _, _, bytes) = body(
            site.response("/pkg/athar.abc.wasm", "gzip, br;q=0")
                .expect("served"),
        );
        assert_eq!(coding.as_ref().map(|v| v.as_bytes()), Some(&b"gzip"[..]));
        assert_eq!(&bytes[..], b"gzip copy");

        let (coding, _, _, bytes) = body(
            site.response("/pkg/athar.abc.wasm", "br;q=0, *")
                .expect("served"),
        );
        assert_eq!(coding.as_ref().map(|v| v.as_bytes()), Some(&b"gzip"[..]));
        assert_eq!(&bytes[..], b"gzip copy");

        let (coding, _, _, bytes) = body(
            site.response("/pkg/athar.abc.wasm", "identity")
                .expect("served"),
        );
        assert_eq!(coding, None);
        assert_eq!(&bytes[..], b"the module");

        // A file without copies is sent as it is (the server may compress it on the way).
        let (coding, vary, _, bytes) = body(
            site.response("/pkg/athar.abc.js", chromium)
                .expect("served"),
        );
        assert_eq!((coding, vary), (None, None));
        assert_eq!(&bytes[..], b"glue");
    }
}
