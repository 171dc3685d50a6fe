//! Password hashing: argon2id, on a few threads of its own, never on an async worker.
//!
//! Each argon2id computation needs 19 MiB of memory (the crate's default parameters, OWASP's
//! recommendation). Left to the blocking pool, a burst of sign-ins hashes on as many threads as
//! there are requests, each allocating its own 19 MiB, and the C allocator keeps what it got
//! (its threshold for giving large blocks back rises after the first one): the server stayed at
//! ~150 MB after 200 sign-ins. Here at most one hash per core runs at once, each worker keeps one
//! block of memory for its whole life, and a burst waits in line instead of growing the process.
//!
//! The line is short: beyond [`MAX_QUEUED`] jobs waiting, a new one is refused at once
//! ([`Busy`]: the caller answers 503 and the client retries later), and a job whose caller has
//! gone (the client hung up while it waited) is dropped without hashing.

use argon2::password_hash::{self, Output, ParamsString, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::oneshot;

/// At most this many hashes run at once (and as many blocks of memory are kept), and never on
/// every core.
const MAX_WORKERS: usize = 2;

/// At most this many jobs wait in line (a hash takes ~50 ms: a second's work for two workers).
pub const MAX_QUEUED: usize = 32;

/// Jobs submitted and not yet taken by a worker.
static QUEUED: AtomicUsize = AtomicUsize::new(0);

/// The line of password jobs is full: try again in a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// Why a new hash was not made.
#[derive(Debug)]
pub enum HashError {
    Busy,
    Hash(password_hash::Error),
}

enum Job {
    Hash {
        password: String,
        reply: oneshot::Sender<Result<String, password_hash::Error>>,
    },
    Verify {
        password: String,
        phc: String,
        reply: oneshot::Sender<bool>,
    },
}

static JOBS: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();

fn submit(job: Job) -> Result<(), Busy> {
    if QUEUED.fetch_add(1, Ordering::AcqRel) >= MAX_QUEUED {
        QUEUED.fetch_sub(1, Ordering::AcqRel);
        return Err(Busy);
    }
    let jobs = JOBS.get_or_init(|| {
        let (send, receive) = channel::<Job>();
        let receive = Arc::new(Mutex::new(receive));
        // One core is always left to the rest of the server: a flood of sign-ins must not
        // stop pulls, pushes and the health check from being answered.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get().saturating_sub(1).clamp(1, MAX_WORKERS));
        for n in 0..workers {
            let receive = receive.clone();
            if let Err(e) = std::thread::Builder::new()
                .name(format!("athar-password-{n}"))
                .spawn(move || work(&receive))
            {
                tracing::error!(error = %e, "starting a password worker failed");
            }
        }
        Mutex::new(send)
    });
    // A send fails only if every worker is gone: the caller is told to try again, as when the
    // line is full (never that the password is wrong).
    let sent = jobs.lock().is_ok_and(|jobs| jobs.send(job).is_ok());
    if !sent {
        QUEUED.fetch_sub(1, Ordering::AcqRel);
        tracing::error!("no password worker is left");
        return Err(Busy);
    }
    Ok(())
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    let mut memory: Vec<Block> = Vec::new();
    loop {
        // The lock is held only while waiting for the next job, not while hashing.
        let job = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        if job.is_ok() {
            QUEUED.fetch_sub(1, Ordering::AcqRel);
        }
        match job {
            // Nobody waits for the answer any more: no hash.
            Ok(Job::Hash { reply, .. }) if reply.is_closed() => {}
            Ok(Job::Verify { reply, .. }) if reply.is_closed() => {}
            Ok(Job::Hash { password, reply }) => {
                if let Some(hashed) = guarded(|| hash_with(&mut memory, password.as_bytes())) {
                    let _ = reply.send(hashed);
                }
            }
            Ok(Job::Verify {
                password,
                phc,
                reply,
            }) => {
                if let Some(ok) = guarded(|| verify_with(&mut memory, password.as_bytes(), &phc)) {
                    let _ = reply.send(ok);
                }
            }
            Err(_) => return,
        }
    }
}

/// Runs one job; a panic in it is logged and its reply dropped (the caller is told to try again),
/// and the worker lives on: with one worker on a small server, a dead one would leave every later
/// sign-in unanswered.
fn guarded<T>(job: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)) {
        Ok(answer) => Some(answer),
        Err(_) => {
            tracing::error!("a password job panicked");
            None
        }
    }
}

/// `memory`, grown if need be, cut to what `params` uses.
fn blocks<'m>(memory: &'m mut Vec<Block>, params: &Params) -> &'m mut [Block] {
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), Block::default());
    }
    &mut memory[..params.block_count()]
}

fn hash_with(memory: &mut Vec<Block>, password: &[u8]) -> Result<String, password_hash::Error> {
    let params = Params::default();
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon.hash_password_into_with_memory(
        password,
        salt_bytes,
        &mut out,
        blocks(memory, &params),
    )?;
    let phc = password_hash::PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

fn verify_with(memory: &mut Vec<Block>, password: &[u8], phc: &str) -> bool {
    check(memory, password, phc).unwrap_or(false)
}

fn check(
    memory: &mut Vec<Block>,
    password: &[u8],
    phc: &str,
) -> Result<bool, password_hash::Error> {
    let parsed = password_hash::PasswordHash::new(phc)?;
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(false);
    };
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params.clone()).hash_password_into_with_memory(
        password,
        salt_bytes,
        &mut out,
        blocks(memory, &params),
    )?;
    // `Output` compares in constant time.
    Ok(Output::new(&out)? == expected)
}

/// The PHC string of an argon2id hash of `password`, with a fresh salt.
pub async fn hash(password: String) -> Result<String, HashError> {
    let (reply, answer) = oneshot::channel();
    submit(Job::Hash { password, reply }).map_err(|Busy| HashError::Busy)?;
    answer
        .await
        .unwrap_or(Err(password_hash::Error::Crypto))
        .map_err(HashError::Hash)
}

/// Whether `password` matches the PHC string `phc` (false for a malformed one). A check that
/// could not be made is [`Busy`], never a wrong password: it must not count against the account.
pub async fn verify(password: String, phc: String) -> Result<bool, Busy> {
    let (reply, answer) = oneshot::channel();
    submit(Job::Verify {
        password,
        phc,
        reply,
    })?;
    answer.await.map_err(|_| Busy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only_and_reads_as_standard_argon2id() {
        let phc = hash("palmeraie 2026".into()).await.expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(verify("palmeraie 2026".into(), phc.clone()).await, Ok(true));
        assert_eq!(
            verify("palmeraie 2025".into(), phc.clone()).await,
            Ok(false)
        );
        assert_eq!(
            verify("palmeraie 2026".into(), "not a hash".into()).await,
            Ok(false)
        );
        // The argon2 crate's own verifier agrees: hashes made before this module still verify,
        // and these verify elsewhere.
        let parsed = password_hash::PasswordHash::new(&phc).expect("parse");
        assert!(
            Argon2::default()
                .verify_password(b"palmeraie 2026", &parsed)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn a_hash_made_by_the_argon2_crate_verifies_here() {
        use argon2::PasswordHasher;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let phc = Argon2::default()
            .hash_password(b"tamr deglet", &salt)
            .expect("hash")
            .to_string();
        assert_eq!(verify("tamr deglet".into(), phc.clone()).await, Ok(true));
        assert_eq!(verify("tamr".into(), phc).await, Ok(false));
    }
}
