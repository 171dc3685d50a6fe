use super::*;

fn answers(name: &str) -> Value {
    match name {
        "sales" => Value::Number(1200.5),
        "purchases" => Value::Number(1500.0),
        "cash_book" => Value::Bool(true),
        "topics" => Value::List(vec!["marketing".into(), "bookkeeping".into()]),
        "mode" => Value::Text("on_site".into()),
        "visit_on" => Value::Text("2026-11-20".into()),
        "notes" => Value::Text(String::new()),
        _ => Value::Missing,
    }
}

fn eval(source: &str) -> Value {
    Expr::parse(source)
        .unwrap_or_else(|e| panic!("{source}: {e}"))
        .eval(&answers, "2026-11-26")
}

#[test]
fn conditions_read_like_the_form_builder_writes_them() {
    let yes = |s: &str| assert_eq!(eval(s), Value::Bool(true), "{s}");
    let no = |s: &str| assert_eq!(eval(s), Value::Bool(false), "{s}");
    yes("${sales} > 0 and ${cash_book} = true");
    yes("${sales} - ${purchases} < 0");
    yes("${sales} * 2 >= 2401");
    no("${sales} / 0 > 0");
    yes("selected(${topics}, 'marketing')");
    no("selected(${topics}, 'legal')");
    yes("count(${topics}) = 2");
    yes("${mode} = 'on_site' or ${mode} = 'phone'");
    yes("${mode} != \"phone\"");
    yes("${visit_on} <= today()");
    no("${visit_on} > today()");
    yes("not(answered(${notes}))");
    yes("not answered(${never})");
    yes("-${sales} < 0");
    yes("(${sales} > 2000 or ${cash_book}) and not ${sales} > 2000");
    no("${cash_book} and false");
}

#[test]
fn an_unanswered_field_is_empty_and_never_ordered() {
    let no = |s: &str| assert_eq!(eval(s), Value::Bool(false), "{s}");
    assert_eq!(eval("${never} = ''"), Value::Bool(true));
    no("${never} > 0");
    no("${never} < 0");
    no("${never} = 0");
    no("${never} + 1 = 1");
    no("selected(${never}, 'marketing')");
    assert_eq!(eval("count(${never})"), Value::Number(0.0));
}

#[test]
fn fields_are_listed_in_order() {
    let e = Expr::parse("${a} > 1 and selected(${b}, 'x') or not ${a}").expect("parses");
    assert_eq!(e.fields(), ["a", "b", "a"]);
}

#[test]
fn syntax_errors_say_where() {
    let problem = |s: &str| Expr::parse(s).expect_err(s);
    assert_eq!(
        problem("${a} > "),
        SyntaxError {
            at: 7,
            problem: SyntaxProblem::UnexpectedEnd
        }
    );
    assert_eq!(
        problem("${a} = 'oui"),
        SyntaxError {
            at: 7,
            problem: SyntaxProblem::UnclosedText
        }
    );
    assert_eq!(
        problem("chosen(${a}, 'x')").problem,
        SyntaxProblem::UnknownFunction("chosen".into())
    );
    assert_eq!(
        problem("selected(${a})").problem,
        SyntaxProblem::WrongArgumentCount {
            function: "selected".into(),
            expected: 2
        }
    );
    assert_eq!(problem("${a} > 1 )").at, 9);
    assert_eq!(problem("${a} # 1").at, 5);
    assert_eq!(problem("$a > 1").at, 0);
}

#[test]
fn a_condition_nested_past_reason_is_refused_with_its_place_not_evaluated() {
    // 100,000 `not`s would recurse 100,000 deep in the parser and the evaluator.
    let deep = format!("{}true", "not ".repeat(100_000));
    let error = Expr::parse(&deep).expect_err("refused");
    assert_eq!(error.problem, SyntaxProblem::TooLong);
    assert_eq!(
        error.at,
        4 * MAX_TOKENS,
        "where the expression goes past the limit"
    );
    // A long flat sum builds a tree as deep as it is long: refused the same way.
    let long = format!("1{}", " + 1".repeat(100_000));
    assert_eq!(
        Expr::parse(&long).expect_err("refused").problem,
        SyntaxProblem::TooLong
    );
    // What people write stays well within it.
    let fine = format!("{}true", "not ".repeat(50));
    assert_eq!(
        Expr::parse(&fine)
            .expect("parsed")
            .eval(&answers, "2026-11-20"),
        Value::Bool(true)
    );
}
