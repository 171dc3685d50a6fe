//! Relevance expressions: when a form shows a field, written over earlier answers.
//!
//! ```text
//! ${sales} > 0 and ${cash_book} = true
//! selected(${topics}, 'marketing') or not(answered(${difficulties}))
//! ${sales} - ${purchases} < 0
//! ```
//!
//! - `${name}` is the answer to a field: text, a choice and a date read as text (dates compare as
//!   `'2026-11-26'`), numbers and money (in dinars) as numbers, yes/no as `true`/`false`, a multiple
//!   choice or member list as a list, a repeat group as its number of items. An unanswered field
//!   is "missing": equal to `''` only, and any arithmetic or ordering with it is false.
//! - Operators: `or`, `and`, `not`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`, `/`, parentheses.
//! - Functions: `selected(list, 'value')`, `count(list)`, `answered(x)`, `today()`.
//!
//! One parser and one evaluator, run by the phone offline and by the server on push.

use std::fmt;

/// An expression, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Number(f64),
    Text(String),
    Bool(bool),
    Field(String),
    Not(Box<Expr>),
    Binary(Box<Expr>, Op, Box<Expr>),
    Call(Function, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Selected,
    Count,
    Answered,
    Today,
}

impl Function {
    fn named(name: &str) -> Option<(Function, usize)> {
        Some(match name {
            "selected" => (Function::Selected, 2),
            "count" => (Function::Count, 1),
            "answered" => (Function::Answered, 1),
            "today" => (Function::Today, 0),
            _ => return None,
        })
    }
}

/// Why an expression does not parse, and where (a character offset).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub at: usize,
    pub problem: SyntaxProblem,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxProblem {
    Unexpected(String),
    UnexpectedEnd,
    UnclosedText,
    UnknownFunction(String),
    WrongArgumentCount {
        function: String,
        expected: usize,
    },
    /// More than [`MAX_TOKENS`] words, numbers and symbols: past that, a condition is no longer
    /// one a person reads, and its nesting could exhaust the stack of whoever evaluates it.
    TooLong,
}

/// The most tokens an expression holds. Every level of nesting takes at least one, so this also
/// bounds how deep the parser and the evaluator recurse.
pub const MAX_TOKENS: usize = 400;

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.problem {
            SyntaxProblem::Unexpected(t) => write!(f, "unexpected `{t}` at {}", self.at),
            SyntaxProblem::UnexpectedEnd => write!(f, "the expression ends too soon"),
            SyntaxProblem::UnclosedText => write!(f, "text opened at {} is not closed", self.at),
            SyntaxProblem::UnknownFunction(n) => write!(f, "unknown function `{n}` at {}", self.at),
            SyntaxProblem::WrongArgumentCount { function, expected } => {
                write!(
                    f,
                    "`{function}` takes {expected} argument(s) (at {})",
                    self.at
                )
            }
            SyntaxProblem::TooLong => write!(
                f,
                "the expression is too long: more than {MAX_TOKENS} words and symbols (at {})",
                self.at
            ),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Number(f64),
    Text(String),
    Field(String),
    Word(String),
    Symbol(&'static str),
}

fn tokens(source: &str) -> Result<Vec<(usize, Token)>, SyntaxError> {
    let chars: Vec<(usize, char)> = source.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let unexpected = |at: usize, c: char| SyntaxError {
        at,
        problem: SyntaxProblem::Unexpected(c.to_string()),
    };
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '$' {
            if chars.get(i + 1).map(|p| p.1) != Some('{') {
                return Err(unexpected(at, c));
            }
            let start = i + 2;
            let end = (start..chars.len())
                .find(|&j| chars[j].1 == '}')
                .ok_or(SyntaxError {
                    at,
                    problem: SyntaxProblem::UnexpectedEnd,
                })?;
            let name: String = chars[start..end].iter().map(|p| p.1).collect();
            out.push((at, Token::Field(name.trim().to_owned())));
            i = end + 1;
        } else if c == '\'' || c == '"' {
            let end = (i + 1..chars.len())
                .find(|&j| chars[j].1 == c)
                .ok_or(SyntaxError {
                    at,
                    problem: SyntaxProblem::UnclosedText,
                })?;
            out.push((
                at,
                Token::Text(chars[i + 1..end].iter().map(|p| p.1).collect()),
            ));
            i = end + 1;
        } else if c.is_ascii_digit() || c == '.' {
            let end = (i..chars.len())
                .find(|&j| !(chars[j].1.is_ascii_digit() || chars[j].1 == '.'))
                .unwrap_or(chars.len());
            let text: String = chars[i..end].iter().map(|p| p.1).collect();
            let n = text.parse().map_err(|_| SyntaxError {
                at,
                problem: SyntaxProblem::Unexpected(text.clone()),
            })?;
            out.push((at, Token::Number(n)));
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let end = (i..chars.len())
                .find(|&j| !(chars[j].1.is_alphanumeric() || chars[j].1 == '_'))
                .unwrap_or(chars.len());
            out.push((at, Token::Word(chars[i..end].iter().map(|p| p.1).collect())));
            i = end;
        } else {
            let next = chars.get(i + 1).map(|p| p.1);
            let (symbol, len) = match (c, next) {
                ('!', Some('=')) => ("!=", 2),
                ('<', Some('=')) => ("<=", 2),
                ('>', Some('=')) => (">=", 2),
                ('=', _) => ("=", 1),
                ('<', _) => ("<", 1),
                ('>', _) => (">", 1),
                ('+', _) => ("+", 1),
                ('-', _) => ("-", 1),
                ('*', _) => ("*", 1),
                ('/', _) => ("/", 1),
                ('(', _) => ("(", 1),
                (')', _) => (")", 1),
                (',', _) => (",", 1),
                _ => return Err(unexpected(at, c)),
            };
            out.push((at, Token::Symbol(symbol)));
            i += len;
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|t| &t.1)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.next).map_or(self.end, |t| t.0)
    }

    fn error(&self) -> SyntaxError {
        match self.tokens.get(self.next) {
            None => SyntaxError {
                at: self.end,
                problem: SyntaxProblem::UnexpectedEnd,
            },
            Some((at, t)) => SyntaxError {
                at: *at,
                problem: SyntaxProblem::Unexpected(match t {
                    Token::Number(n) => n.to_string(),
                    Token::Text(s) => format!("'{s}'"),
                    Token::Field(f) => format!("${{{f}}}"),
                    Token::Word(w) => w.clone(),
                    Token::Symbol(s) => (*s).to_owned(),
                }),
            },
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if matches!(self.peek(), Some(Token::Symbol(s)) if *s == symbol) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w == word) {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.eat_word("or") {
            left = Expr::Binary(Box::new(left), Op::Or, Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.eat_word("and") {
            left = Expr::Binary(Box::new(left), Op::And, Box::new(self.not()?));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat_word("not") {
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.sum()?;
        let op = match self.peek() {
            Some(Token::Symbol("=")) => Op::Eq,
            Some(Token::Symbol("!=")) => Op::Ne,
            Some(Token::Symbol("<")) => Op::Lt,
            Some(Token::Symbol("<=")) => Op::Le,
            Some(Token::Symbol(">")) => Op::Gt,
            Some(Token::Symbol(">=")) => Op::Ge,
            _ => return Ok(left),
        };
        self.next += 1;
        Ok(Expr::Binary(Box::new(left), op, Box::new(self.sum()?)))
    }

    fn sum(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat_symbol("+") {
                Op::Add
            } else if self.eat_symbol("-") {
                Op::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Binary(Box::new(left), op, Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.primary()?;
        loop {
            let op = if self.eat_symbol("*") {
                Op::Mul
            } else if self.eat_symbol("/") {
                Op::Div
            } else {
                return Ok(left);
            };
            left = Expr::Binary(Box::new(left), op, Box::new(self.primary()?));
        }
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let at = self.at();
        let Some(token) = self.peek().cloned() else {
            return Err(self.error());
        };
        match token {
            Token::Number(n) => {
                self.next += 1;
                Ok(Expr::Number(n))
            }
            Token::Text(s) => {
                self.next += 1;
                Ok(Expr::Text(s))
            }
            Token::Field(f) => {
                self.next += 1;
                Ok(Expr::Field(f))
            }
            Token::Symbol("(") => {
                self.next += 1;
                let inner = self.or()?;
                if !self.eat_symbol(")") {
                    return Err(self.error());
                }
                Ok(inner)
            }
            Token::Symbol("-") => {
                self.next += 1;
                let inner = self.primary()?;
                Ok(Expr::Binary(
                    Box::new(Expr::Number(0.0)),
                    Op::Sub,
                    Box::new(inner),
                ))
            }
            Token::Word(w) if w == "true" || w == "false" => {
                self.next += 1;
                Ok(Expr::Bool(w == "true"))
            }
            Token::Word(w) if w == "not" => self.not(),
            Token::Word(w) => {
                self.next += 1;
                let Some((function, arity)) = Function::named(&w) else {
                    return Err(SyntaxError {
                        at,
                        problem: SyntaxProblem::UnknownFunction(w),
                    });
                };
                if !self.eat_symbol("(") {
                    return Err(self.error());
                }
                let mut args = Vec::new();
                if !self.eat_symbol(")") {
                    loop {
                        args.push(self.or()?);
                        if self.eat_symbol(")") {
                            break;
                        }
                        if !self.eat_symbol(",") {
                            return Err(self.error());
                        }
                    }
                }
                if args.len() != arity {
                    return Err(SyntaxError {
                        at,
                        problem: SyntaxProblem::WrongArgumentCount {
                            function: w,
                            expected: arity,
                        },
                    });
                }
                Ok(Expr::Call(function, args))
            }
            Token::Symbol(_) => Err(self.error()),
        }
    }
}

impl Expr {
    pub fn parse(source: &str) -> Result<Expr, SyntaxError> {
        let tokens = tokens(source)?;
        if let Some((at, _)) = tokens.get(MAX_TOKENS) {
            return Err(SyntaxError {
                at: *at,
                problem: SyntaxProblem::TooLong,
            });
        }
        let mut parser = Parser {
            tokens,
            next: 0,
            end: source.len(),
        };
        let expr = parser.or()?;
        if parser.next < parser.tokens.len() {
            return Err(parser.error());
        }
        Ok(expr)
    }

    /// The fields it reads, in order of appearance.
    pub fn fields(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Field(f) = e {
                out.push(f.as_str());
            }
        });
        out
    }

    fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a Expr)) {
        visit(self);
        match self {
            Expr::Not(e) => e.walk(visit),
            Expr::Binary(a, _, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.walk(visit)),
            _ => {}
        }
    }

    /// The value of the expression, reading answers through `lookup`.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Value, today: &str) -> Value {
        match self {
            Expr::Number(n) => Value::Number(*n),
            Expr::Text(s) => Value::Text(s.clone()),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Field(f) => lookup(f),
            Expr::Not(e) => Value::Bool(!e.eval(lookup, today).truthy()),
            Expr::Binary(a, op, b) => {
                let left = a.eval(lookup, today);
                match op {
                    // Short-circuit, like people read them.
                    Op::Or if left.truthy() => Value::Bool(true),
                    Op::And if !left.truthy() => Value::Bool(false),
                    Op::Or | Op::And => Value::Bool(b.eval(lookup, today).truthy()),
                    _ => binary(left, *op, b.eval(lookup, today)),
                }
            }
            Expr::Call(f, args) => {
                let arg = |i: usize| {
                    args.get(i)
                        .map_or(Value::Missing, |a| a.eval(lookup, today))
                };
                match f {
                    Function::Selected => match (arg(0), arg(1)) {
                        (Value::List(items), Value::Text(v)) => Value::Bool(items.contains(&v)),
                        (Value::Text(one), Value::Text(v)) => Value::Bool(one == v),
                        _ => Value::Bool(false),
                    },
                    Function::Count => match arg(0) {
                        Value::List(items) => Value::Number(items.len() as f64),
                        Value::Number(n) => Value::Number(n),
                        Value::Missing => Value::Number(0.0),
                        _ => Value::Number(1.0),
                    },
                    Function::Answered => Value::Bool(match arg(0) {
                        Value::Missing => false,
                        Value::Text(s) => !s.trim().is_empty(),
                        Value::List(items) => !items.is_empty(),
                        _ => true,
                    }),
                    Function::Today => Value::Text(today.to_owned()),
                }
            }
        }
    }
}

/// What an expression computes with.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Missing,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<String>),
}

impl Value {
    /// Whether it counts as "yes" where a condition is expected.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Missing => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Text(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
        }
    }
}

fn binary(left: Value, op: Op, right: Value) -> Value {
    use Value::{Bool, List, Missing, Number, Text};
    match op {
        Op::Eq | Op::Ne => {
            let same = match (&left, &right) {
                (Missing, Text(s)) | (Text(s), Missing) => s.is_empty(),
                (Number(a), Number(b)) => a == b,
                // A number typed in a form compares with the same number written in the rule.
                (Number(n), Text(s)) | (Text(s), Number(n)) => s.parse::<f64>() == Ok(*n),
                (List(items), Text(s)) | (Text(s), List(items)) => {
                    items.len() == 1 && items[0] == *s
                }
                (a, b) => a == b,
            };
            Bool(if op == Op::Eq { same } else { !same })
        }
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let order = match (&left, &right) {
                (Number(a), Number(b)) => a.partial_cmp(b),
                (Text(a), Text(b)) => Some(a.cmp(b)),
                (Number(a), Text(b)) => b.parse::<f64>().ok().and_then(|b| a.partial_cmp(&b)),
                (Text(a), Number(b)) => a.parse::<f64>().ok().and_then(|a| a.partial_cmp(b)),
                _ => None,
            };
            Bool(order.is_some_and(|o| match op {
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                _ => o.is_ge(),
            }))
        }
        Op::Add | Op::Sub | Op::Mul | Op::Div => match (left, right) {
            (Number(a), Number(b)) => {
                let n = match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    Op::Mul => a * b,
                    _ if b == 0.0 => return Missing,
                    _ => a / b,
                };
                Number(n)
            }
            _ => Missing,
        },
        Op::Or | Op::And => Missing,
    }
}

#[cfg(test)]
mod tests;
