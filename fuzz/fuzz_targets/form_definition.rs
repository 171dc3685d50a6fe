#![no_main]
//! A form definition as the team publishes it, and a condition as the form editor reads it:
//! checked (expressions parsed, references and cycles found), evaluated over empty answers, never
//! a panic or a stack overflow.

use app::domain::form::expr::{Expr, Value};
use app::domain::form::{Answers, FormDefinition};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(expr) = Expr::parse(text) {
        let _ = expr.eval(&|_| Value::Missing, "2026-11-20");
        let _ = expr.eval(&|_| Value::Number(3.0), "2026-11-20");
    }
    if let Ok(form) = serde_json::from_str::<FormDefinition>(text)
        && form.check().is_ok()
    {
        let _ = form.validate(&Answers::new(), "2026-11-20");
    }
});
