// The demo facilitator's session cookie, for the scripts that measure pages as she sees them
// (`budget.mjs`, `bench-lighthouse.mjs`). Exits with 2, naming the script, when sign-in fails.
export async function facilitatorCookie(base, script) {
  const login = await fetch(`${base}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: "email=amal.facilitatrice%40demo.athar.tn&password=athar-demo-2026",
    redirect: "manual",
  });
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).find((c) => /^(__Host-)?athar_session=/.test(c));
  if (!cookie) {
    console.error(`${script}: cannot sign in (${login.status})`);
    process.exit(2);
  }
  return cookie;
}
