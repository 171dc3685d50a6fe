//! Evidence uploads: 100 phones, each a facilitator of its own, send a photo each at the same
//! moment to the release `athar` binary on SQLite with its files in a folder, as phones do:
//! the visit naming the photo first, then `HEAD` for where the server stands and `PATCH` pieces
//! of 32 KB, a connection per request. Prints errors, the pieces' latency, the time to all
//! kept, the server's peak memory, and checks the folder: each photo once, its bytes hashing to
//! its name, a thumbnail each, no piece left over. Goals are in `BENCHMARKS.md`, not asserted.
//!
//! `cargo bench -p server --bench uploads` (`ATHAR_UPLOAD_PHONES` changes how many phones).

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: prints its figures, a failed step ends it"
)]

mod common;
#[path = "../tests/stories/support/mod.rs"]
mod support;

use common::{own_facilitators, quantile, rss_kb, setting};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::wire::{call, exchange, free_port, request, start_with, wait_healthy};
use uuid::Uuid;

const PIECE: usize = 32 * 1024;

/// A photo as a phone sends it after resizing: 1,600 × 1,200 JPEG at quality 70, with enough
/// grain to weigh what a real one does (about 300 KB).
fn photo(seed: u64) -> Vec<u8> {
    let mut grain = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let picture = image::RgbImage::from_fn(1600, 1200, |x, y| {
        let g: u8 = grain.gen_range(0..36);
        image::Rgb([
            (x / 7) as u8 + g,
            (y / 5) as u8 + g / 2,
            (seed % 200) as u8 + g / 3,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 70)
        .encode_image(&picture)
        .expect("encode");
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The visit that names `bytes`, as a phone pushes it.
fn visit_naming(client: Uuid, project: &str, bytes: &[u8]) -> String {
    call(&format!(
        r#"{{"client_id":"{client}","mutations":[{{"client_id":"{client}","seq":1,"name":"visit.save","args":{{"id":"{}","base_version":null,"fields":{{"project_id":"{project}","visit_on":"2026-11-20","mode":"on_site","topics":["bookkeeping"],"status":"submitted","observations":"La pompe solaire est installée.","files":[{{"sha256":"{}","bytes":{},"media":"jpeg","caption":"Pompe solaire"}}]}}}},"created_at":0}}],"heartbeat":{{"device_id":"{}","pending":1}}}}"#,
        Uuid::new_v4(),
        sha(bytes),
        bytes.len(),
        Uuid::new_v4()
    ))
}

fn upload_offset(reply: &support::wire::Reply) -> Option<usize> {
    reply.header("upload-offset")?.parse().ok()
}

/// Sends `bytes` as the phone does; every request's latency, and how many failed.
async fn send_photo(port: u16, cookie: &str, bytes: &[u8]) -> (Vec<Duration>, u64) {
    let name = sha(bytes);
    let path = format!("/api/files/{name}");
    let (mut latencies, mut errors) = (Vec::new(), 0);
    let mut at = None;
    loop {
        let t = Instant::now();
        let Some(from) = at else {
            match exchange(port, "HEAD", &path, &[("Cookie", cookie)], &[]).await {
                Ok(r) if r.status == 200 => {
                    latencies.push(t.elapsed());
                    at = upload_offset(&r);
                }
                _ => errors += 1,
            }
            continue;
        };
        let to = (from + PIECE).min(bytes.len());
        let offset = from.to_string();
        let headers = [
            ("Cookie", cookie),
            ("Upload-Offset", offset.as_str()),
            ("Content-Type", "application/offset+octet-stream"),
        ];
        match exchange(port, "PATCH", &path, &headers, &bytes[from..to]).await {
            Ok(r) if r.status == 204 => {
                latencies.push(t.elapsed());
                if to == bytes.len() {
                    return (latencies, errors);
                }
                at = upload_offset(&r);
            }
            _ => {
                errors += 1;
                at = None;
            }
        }
    }
}

/// The whole files in `dir/files` whose bytes hash to their name, of how many; the thumbnails;
/// the pieces left.
fn stored(dir: &Path) -> (usize, usize, usize, usize) {
    let listed = |sub: &str| -> Vec<std::path::PathBuf> { walk(&dir.join(sub)) };
    let files = listed("files");
    let sound = files
        .iter()
        .filter(|f| {
            let bytes = std::fs::read(f).expect("read a stored file");
            f.file_name().and_then(|n| n.to_str()) == Some(sha(&bytes).as_str())
        })
        .count();
    (
        sound,
        files.len(),
        listed("thumbnails").len(),
        listed("partial").len(),
    )
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn main() {
    let phones = setting("ATHAR_UPLOAD_PHONES", 100);
    common::runtime().block_on(async move {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("athar.db").display());
        let files_dir = dir.path().join("athar-files");
        let port = free_port();
        let files_arg = files_dir.display().to_string();
        let mut server = start_with(&url, port, &["--demo", "--files-dir", &files_arg]);
        wait_healthy(port).await;
        let pid = server.id();

        let accounts = own_facilitators(&url, port, phones).await;
        let photos: Vec<Vec<u8>> = (0..phones).map(photo).collect();
        let total: usize = photos.iter().map(Vec::len).sum();
        for ((cookie, project), bytes) in accounts.iter().zip(&photos) {
            let pushed = request(
                port,
                "/api/sync/push",
                "application/json",
                cookie,
                &visit_naming(Uuid::new_v4(), project, bytes),
            )
            .await
            .expect("push");
            assert_eq!(pushed.status, 200, "{}", pushed.body);
            assert!(pushed.body.contains(r#""refused":[]"#), "{}", pushed.body);
        }
        let before = rss_kb(pid);

        let running = Arc::new(AtomicBool::new(true));
        let peak = Arc::new(AtomicU64::new(before));
        let sampler = {
            let (running, peak) = (running.clone(), peak.clone());
            tokio::spawn(async move {
                while running.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kb(pid), Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
        };
        let started = Instant::now();
        let photos = Arc::new(photos);
        let tasks: Vec<_> = accounts
            .into_iter()
            .enumerate()
            .map(|(p, (cookie, _))| {
                let photos = photos.clone();
                tokio::spawn(async move { send_photo(port, &cookie, &photos[p]).await })
            })
            .collect();
        let (mut latencies, mut errors) = (Vec::new(), 0);
        for t in tasks {
            let (l, e) = t.await.expect("phone");
            latencies.extend(l);
            errors += e;
        }
        let elapsed = started.elapsed();
        running.store(false, Ordering::Relaxed);
        sampler.await.expect("sampler");
        let peak = peak.load(Ordering::Relaxed).max(rss_kb(pid));
        let _ = server.kill();
        let _ = server.wait();

        latencies.sort();
        let (sound, kept, thumbnails, pieces) = stored(&files_dir);
        println!(
            "{phones} phones, one photo each ({:.0} KB on average, {:.1} MB in all), pieces of {} KB, release server on SQLite, files in a folder",
            total as f64 / phones as f64 / 1024.0,
            total as f64 / 1024.0 / 1024.0,
            PIECE / 1024
        );
        println!(
            "  requests answered: {}, errors: {errors} (goal: 0)",
            latencies.len()
        );
        println!(
            "  all kept in {:.2} s ({:.1} MB/s); a request: p50 {:.1} ms, p99 {:.1} ms, worst {:.1} ms",
            elapsed.as_secs_f64(),
            total as f64 / 1024.0 / 1024.0 / elapsed.as_secs_f64(),
            quantile(&latencies, 0.5),
            quantile(&latencies, 0.99),
            latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        );
        println!(
            "  server RSS: {} MB before the uploads, peak {} MB during them (goal ≤ 128 MB)",
            before / 1024,
            peak / 1024
        );
        println!(
            "  stored: {kept} files, {sound} hashing to their name, {thumbnails} thumbnails, {pieces} pieces left (expected: {phones}, {phones}, {phones}, 0)"
        );
    });
}
