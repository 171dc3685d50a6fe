//! Sign-in, sessions and scopes.
//!
//! Passwords are hashed with argon2id on threads of their own (`password`), never on an async
//! worker. A session is
//! a random token in an HttpOnly, SameSite=Strict cookie; the database stores only its SHA-256, so
//! a leaked database does not leak live sessions. Sessions renew on use, so a facilitator who
//! opens the app once a fortnight stays signed in. Failed sign-ins are counted per account and per
//! address in the database (so several server instances share the count), and the answer never
//! tells whether an account exists.

use super::db::{Db, DbError, PasswordHash, ProjectScope};
use super::state::AuthSettings;
use crate::domain::{Role, SessionUser};
use crate::error::AppError;
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// The session cookie's name when it travels only over HTTPS: the `__Host-` prefix makes the
/// browser refuse it unless it is `Secure`, for the whole site (`Path=/`) and bound to this host
/// (no `Domain`), so a neighbour on a sibling domain or a plain-HTTP page cannot plant or shadow it.
pub const SESSION_COOKIE: &str = "__Host-athar_session";

/// Its name over plain HTTP (`--insecure-cookies`, development only): the prefix needs `Secure`.
pub const INSECURE_SESSION_COOKIE: &str = "athar_session";

/// The session cookie's name, as the server sends and reads it.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        SESSION_COOKIE
    } else {
        INSECURE_SESSION_COOKIE
    }
}

/// The signed-in user of the current request, put in the request's extensions by the session
/// middleware (in `server/`) and read by server functions and pages.
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    pub user: Option<SessionUser>,
    /// The SHA-256 of the session token, to sign out.
    pub token_hash: Option<String>,
    /// The client's address, for sign-in lock-outs.
    pub client_addr: Option<String>,
}

/// An argon2id hash of a new password. `Unavailable` (503) while the line of password work is
/// full.
pub async fn hash_password(password: String) -> Result<PasswordHash, AppError> {
    use super::password::HashError;
    super::password::hash(password)
        .await
        .map(PasswordHash)
        .map_err(|e| match e {
            HashError::Busy => AppError::Unavailable,
            HashError::Hash(e) => {
                tracing::error!(error = %e, "hashing a password failed");
                AppError::Internal
            }
        })
}

async fn verify_password(password: String, hash: PasswordHash) -> Result<bool, AppError> {
    super::password::verify(password, hash.0)
        .await
        .map_err(|_| AppError::Unavailable)
}

/// Sign-ins checked at once across the server; beyond this, one is answered 503 at once, before
/// any database work, so a flood of sign-ins cannot take every database connection from the
/// rest of the server (pulls, pushes, `/healthz`).
const MAX_SIGN_INS: usize = 64;
static SIGN_INS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_SIGN_INS);

/// The longest email a sign-in reads (RFC 5321's limit for a path).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest password a sign-in hashes: longer is refused before any work.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// A hash of a password nobody has, verified when the account does not exist so that both answers
/// take the same time.
fn decoy_hash() -> PasswordHash {
    PasswordHash(
        "$argon2id$v=19$m=19456,t=2,p=1$YXRoYXJkZWNveXNhbHQ$+Qm5y3oYt6xkMgmYrRr4V8sO2Nq3m8c1nZ1bWl5yJxM"
            .into(),
    )
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token for a BI tool: recognisable in a configuration file by its prefix.
pub fn new_api_token() -> String {
    format!("athar_{}", new_token())
}

/// A one-time code for a link (the setup link): 128 random bits.
pub fn new_link_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A sign-in code to hand to a person: [`SIGN_IN_CODE_CHARS`] characters of an alphabet that
/// reads out without doubt (80 bits).
///
/// [`SIGN_IN_CODE_CHARS`]: crate::domain::people::SIGN_IN_CODE_CHARS
pub fn new_sign_in_code() -> String {
    use crate::domain::people::{SIGN_IN_CODE_ALPHABET, SIGN_IN_CODE_CHARS};
    let mut bytes = [0u8; SIGN_IN_CODE_CHARS];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(SIGN_IN_CODE_ALPHABET[usize::from(b % 32)]))
        .collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn session_length(role: Role, settings: &AuthSettings) -> time::Duration {
    if role == Role::Team {
        settings.team_session
    } else {
        settings.field_session
    }
}

/// How long after sign-in a session ends, however often it is used.
pub fn session_lifetime(role: Role, settings: &AuthSettings) -> time::Duration {
    if role == Role::Team {
        settings.team_session_max
    } else {
        settings.field_session_max
    }
}

/// The `Set-Cookie` value for a session token (or, with `None`, one that removes the cookie).
pub fn session_cookie(token: Option<&str>, max_age: time::Duration, secure: bool) -> String {
    let name = session_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    let (value, max_age) = match token {
        Some(t) => (t, max_age.whole_seconds()),
        None => ("", 0),
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
}

/// An address as lock-outs count it: an IPv6 address by its /64 (one subscriber's whole
/// network: changing the last 64 bits is free), an IPv4 address as it is.
fn address_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        _ => addr.to_owned(),
    }
}

/// The key an account's sign-in attempts are counted under (hashed: no email in clear).
pub fn account_key(email: &str) -> String {
    hash_token(&format!("account:{}", email.trim().to_lowercase()))
}

/// The counters a sign-in attempt is charged to, each with its limit: the account and the
/// client's address, stored hashed (the table keeps no email or address in clear).
fn lock_keys(email: &str, addr: Option<&str>, settings: &AuthSettings) -> Vec<(String, usize)> {
    let mut keys = vec![(account_key(email), settings.max_failures)];
    if let Some(addr) = addr {
        keys.push((
            hash_token(&format!("address:{}", address_key(addr))),
            settings.max_failures_per_address,
        ));
    }
    keys
}

/// The lock-out rule of these keys, now.
fn lock_rule(
    keys: &[(String, usize)],
    settings: &AuthSettings,
    now: OffsetDateTime,
) -> crate::server::db::LockRule {
    crate::server::db::LockRule {
        limits: keys.iter().map(|(_, limit)| *limit).collect(),
        window: settings.failure_window,
        lockout: settings.lockout,
        now,
    }
}

/// Minutes left on a lock-out for any of the keys, as the database holds them now.
async fn locked_minutes(
    db: &Db,
    keys: &[(String, usize)],
    settings: &AuthSettings,
    now: OffsetDateTime,
) -> Result<Option<i64>, DbError> {
    let mut failures = Vec::with_capacity(keys.len());
    for (key, _) in keys {
        failures.push(
            db.login_failures_since(key, now - settings.failure_window - settings.lockout)
                .await?,
        );
    }
    Ok(lock_rule(keys, settings, now).minutes(&failures))
}

/// A new session for a user whose password checked out.
pub struct NewSession {
    pub user: SessionUser,
    pub token: String,
    pub max_age: time::Duration,
}

/// A new session for `user`, who just proved who they are (a password, a one-time code).
pub async fn open_session(
    db: &Db,
    settings: &AuthSettings,
    user: SessionUser,
) -> Result<NewSession, DbError> {
    let token = new_token();
    let max_age = session_length(user.role, settings);
    db.create_session(
        &hash_token(&token),
        user.id,
        OffsetDateTime::now_utc() + max_age,
    )
    .await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "signed in");
    Ok(NewSession {
        user,
        token,
        max_age,
    })
}

/// Checks an email and password, with lock-outs, and opens a session. The error is the same for
/// an unknown account and a wrong password.
pub async fn sign_in(
    db: &Db,
    settings: &AuthSettings,
    email: &str,
    password: String,
    addr: Option<&str>,
) -> Result<NewSession, AppError> {
    let user = check_password(db, settings, email, password, addr).await?;
    Ok(open_session(db, settings, user).await?)
}

/// Checks an email and password, with lock-outs (signing in, and changing one's password).
///
/// The attempt is counted before the password is checked, one attempt per key at a time,
/// against the attempts already there (those being checked at this moment included): of many
/// guesses made at once, no more than the limit reach the password. A guess refused as locked
/// out is not hashed and leaves no row; a failure stays; a success removes only its own row, so
/// a right password found among guesses does not wipe the trace of the wrong ones.
pub async fn check_password(
    db: &Db,
    settings: &AuthSettings,
    email: &str,
    password: String,
    addr: Option<&str>,
) -> Result<SessionUser, AppError> {
    let too_long = |field: &str| AppError::Invalid {
        field: field.into(),
        code: "too_long".into(),
    };
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(too_long("email"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(too_long("password"));
    }
    let Ok(turn) = SIGN_INS.try_acquire() else {
        return Err(AppError::Unavailable);
    };
    // Once counted, an attempt is carried to its end even when the client hangs up (a phone's
    // link dropping mid-request drops this future): a right password dropped halfway would
    // otherwise leave its row, counted as a failure, and a few dropped links lock a user out.
    let (db, settings, email) = (db.clone(), settings.clone(), email.to_owned());
    let addr = addr.map(str::to_owned);
    tokio::spawn(async move {
        let _turn = turn;
        counted_check(&db, &settings, &email, password, addr.as_deref()).await
    })
    .await
    .unwrap_or(Err(AppError::Unavailable))
}

/// [`check_password`] past its cheap refusals, with its turn taken.
async fn counted_check(
    db: &Db,
    settings: &AuthSettings,
    email: &str,
    password: String,
    addr: Option<&str>,
) -> Result<SessionUser, AppError> {
    let now = OffsetDateTime::now_utc();
    let keys = lock_keys(email, addr, settings);
    let names: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
    let since = now - settings.failure_window - settings.lockout;
    let rule = lock_rule(&keys, settings, now);
    let mine = match db.count_login_attempt(&names, now, since, &rule).await? {
        crate::server::db::LoginAttempt::Locked(minutes) => {
            return Err(AppError::LockedOut { minutes });
        }
        crate::server::db::LoginAttempt::Counted(rows) => rows,
    };
    let found = db.user_credentials(email).await?;
    let (user, hash, active) = match found {
        Some(c) => (Some(c.user), c.hash, c.active),
        None => (None, decoy_hash(), false),
    };
    let ok = match verify_password(password, hash).await {
        Ok(ok) => ok,
        Err(busy) => {
            db.forget_login_attempts(&mine).await?;
            return Err(busy);
        }
    };
    match user {
        // Said only to whoever knows the password: a disabled account is not revealed otherwise.
        Some(_) if ok && !active => {
            db.forget_login_attempts(&mine).await?;
            Err(AppError::AccountDisabled)
        }
        Some(user) if ok => {
            db.forget_login_attempts(&mine).await?;
            Ok(user)
        }
        _ => {
            tracing::info!(addr = addr.unwrap_or("-"), "failed sign-in");
            match locked_minutes(db, &keys, settings, now).await? {
                Some(minutes) => Err(AppError::LockedOut { minutes }),
                None => Err(AppError::InvalidCredentials),
            }
        }
    }
}

/// Looks a session token up; renews it when more than a day of its life has been used (so an
/// active user does not expire, without a write on every request), but never past its absolute
/// lifetime after sign-in ([`session_lifetime`]). Returns the user and, when renewed, the new
/// cookie lifetime to send back.
pub async fn resume_session(
    db: &Db,
    settings: &AuthSettings,
    token: &str,
) -> Result<Option<(SessionUser, String, Option<time::Duration>)>, DbError> {
    let now = OffsetDateTime::now_utc();
    let token_hash = hash_token(token);
    let Some((user, expires_at, created_at)) = db.session_user(&token_hash, now).await? else {
        return Ok(None);
    };
    let length = session_length(user.role, settings);
    let renew_step = std::cmp::min(time::Duration::days(1), length / 12);
    let until = std::cmp::min(
        now + length,
        created_at + session_lifetime(user.role, settings),
    );
    if until <= now {
        return Ok(None);
    }
    let renewed = if until - expires_at > renew_step {
        db.extend_session(&token_hash, until).await?;
        Some(until - now)
    } else {
        None
    };
    Ok(Some((user, token_hash, renewed)))
}

/// The projects a user may see. Viewers see aggregates only, never a project.
pub fn project_scope(user: &SessionUser) -> Result<ProjectScope, AppError> {
    match user.role {
        Role::Facilitator => Ok(ProjectScope::Facilitator(user.id)),
        Role::Supervisor => Ok(ProjectScope::Supervisor(user.id)),
        Role::Team => Ok(ProjectScope::All),
        Role::Viewer => Err(AppError::Forbidden),
    }
}

/// The projects whose conflicts the user may resolve: a supervisor's incubators', all for the
/// team. Facilitators made the edits; they do not judge between them.
pub fn review_scope(user: &SessionUser) -> Result<ProjectScope, AppError> {
    match user.role {
        Role::Supervisor | Role::Team => project_scope(user),
        Role::Facilitator | Role::Viewer => Err(AppError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookies_are_http_only_and_strict() {
        let c = session_cookie(Some("abc"), time::Duration::days(30), true);
        assert!(c.starts_with("__Host-athar_session=abc; Path=/;"), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Secure"));
        assert!(c.contains("Max-Age=2592000") && !c.contains("Domain"));
        let plain = session_cookie(Some("abc"), time::Duration::days(1), false);
        assert!(plain.starts_with("athar_session=abc;") && !plain.contains("Secure"));
        assert!(session_cookie(None, time::Duration::ZERO, false).contains("Max-Age=0"));
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let t = new_token();
        assert_eq!(t.len(), 64);
        assert_ne!(hash_token(&t), t);
        assert_eq!(hash_token(&t), hash_token(&t));
    }

    #[test]
    fn the_decoy_hash_parses() {
        assert!(argon2::PasswordHash::new(&decoy_hash().0).is_ok());
    }
}
