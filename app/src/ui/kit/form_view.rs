//! Draws any form definition as a capture screen: each field type as its input, labels and hints
//! in the reader's language, fields shown only while their display condition holds, and each
//! answer's problem next to it. The answers live in one signal; what is typed is kept as typed
//! (a number that does not read as one is kept as text, and the check says so).

use crate::domain::form::{
    Answer, AnswerError, AnswerProblem, Answers, Field, FieldKind, FormDefinition,
};
use crate::i18n::*;
use crate::ui::text::pick;
use leptos::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

/// Where an answer sits: a field of the form, or of one item of a repeat group.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slot {
    item: Option<(String, usize)>,
    name: String,
}

impl Slot {
    fn id(&self) -> String {
        match &self.item {
            Some((group, i)) => format!("f-{group}-{i}-{}", self.name),
            None => format!("f-{}", self.name),
        }
    }

    fn path(&self) -> Vec<(String, Option<usize>)> {
        match &self.item {
            Some((group, i)) => vec![(group.clone(), Some(*i)), (self.name.clone(), None)],
            None => vec![(self.name.clone(), None)],
        }
    }

    fn get(&self, answers: &Answers) -> Option<Answer> {
        match &self.item {
            None => answers.get(&self.name).cloned(),
            Some((group, i)) => match answers.get(group) {
                Some(Answer::Items(items)) => items.get(*i)?.get(&self.name).cloned(),
                _ => None,
            },
        }
    }

    fn set(&self, answers: &mut Answers, value: Option<Answer>) {
        let place = match &self.item {
            None => Some(answers),
            Some((group, i)) => match answers.get_mut(group) {
                Some(Answer::Items(items)) => items.get_mut(*i),
                _ => None,
            },
        };
        if let Some(place) = place {
            match value {
                Some(v) => place.insert(self.name.clone(), v),
                None => place.remove(&self.name),
            };
        }
    }
}

/// The fields of `form`, bound to `answers`; `errors` from the last check.
#[component]
pub fn FormFields(
    form: Arc<FormDefinition>,
    answers: RwSignal<Answers>,
    errors: RwSignal<Vec<AnswerError>>,
    /// The project's members, for member pickers.
    #[prop(optional)]
    members: Vec<(Uuid, String)>,
    today: String,
) -> impl IntoView {
    let fields = form.fields.clone();
    let members = Arc::new(members);
    // Opened at a field (`#f-visit_on`, from the list of entries to fix): once the questions
    // are drawn, that field takes the focus (the browser looked for it before they were).
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        request_animation_frame(|| {
            use wasm_bindgen::JsCast;
            let hash = window().location().hash().unwrap_or_default();
            let target = hash
                .strip_prefix('#')
                .filter(|id| id.starts_with("f-"))
                .and_then(|id| document().get_element_by_id(id))
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = target {
                let _ = el.focus();
            }
        })
    });
    fields
        .into_iter()
        .map(|field| {
            view! {
                <FieldView form=form.clone() field answers errors members=members.clone() today=today.clone() item=None />
            }
        })
        .collect_view()
}

#[component]
pub(crate) fn FieldView(
    form: Arc<FormDefinition>,
    field: Field,
    answers: RwSignal<Answers>,
    errors: RwSignal<Vec<AnswerError>>,
    members: Arc<Vec<(Uuid, String)>>,
    today: String,
    item: Option<(String, usize)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let slot = Slot {
        item: item.clone(),
        name: field.name.clone(),
    };
    let shown = {
        let (form, field, today, item) = (form.clone(), field.clone(), today.clone(), item.clone());
        Memo::new(move |_| {
            answers.with(|all| {
                let inner = item.as_ref().and_then(|(group, i)| match all.get(group) {
                    Some(Answer::Items(items)) => items.get(*i).cloned(),
                    _ => None,
                });
                form.is_relevant(&field, all, inner.as_ref(), &today)
            })
        })
    };
    let id = slot.id();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let label = pick(&field.label, locale);
    let hint = field.hint.as_ref().map(|h| pick(h, locale));
    let error = {
        let (path, field) = (slot.path(), field.clone());
        move || {
            errors.with(|all| {
                all.iter()
                    .find(|e| e.path == path)
                    .map(|e| problem_text(i18n, locale, &field, &e.problem))
            })
        }
    };
    let invalid = {
        let error = error.clone();
        move || error().is_some().to_string()
    };
    let start = slot.get(&answers.get_untracked());
    let set = {
        let slot = slot.clone();
        move |value: Option<Answer>| answers.update(|a| slot.set(a, value))
    };
    let required = field.required;
    let input = match &field.kind {
        FieldKind::Text | FieldKind::LongText | FieldKind::Date | FieldKind::Integer | FieldKind::Decimal | FieldKind::Money => {
            let kind = field.kind.clone();
            let value = match (&kind, start) {
                (FieldKind::Money, Some(Answer::Number(m))) => crate::domain::money::typed_dinars(m as i64),
                (_, Some(Answer::Number(n))) => n.to_string(),
                (_, Some(Answer::Text(t))) => t,
                _ => String::new(),
            };
            let on_input = move |ev: leptos::ev::Event| set(read_typed(&kind, &event_target_value(&ev)));
            let described = format!("{hint_id} {error_id}");
            match field.kind {
                FieldKind::LongText => view! {
                    <textarea id=id.clone() rows="4" dir="auto" required=required aria-describedby=described aria-invalid=invalid on:input=on_input>{value}</textarea>
                }.into_any(),
                _ => {
                    // Words take their direction from what is typed (an Arabic name beside a
                    // French place); numbers and days keep the page's.
                    let own_direction = matches!(field.kind, FieldKind::Text).then_some("auto");
                    let (html_type, mode) = match field.kind {
                        FieldKind::Date => ("date", "text"),
                        FieldKind::Integer => ("text", "numeric"),
                        FieldKind::Decimal | FieldKind::Money => ("text", "decimal"),
                        _ => ("text", "text"),
                    };
                    view! {
                        <input id=id.clone() type=html_type inputmode=mode dir=own_direction required=required aria-describedby=described
                            aria-invalid=invalid value=value on:input=on_input />
                    }.into_any()
                }
            }
        }
        FieldKind::SingleChoice { choices } | FieldKind::MultipleChoice { choices } => {
            let multiple = matches!(field.kind, FieldKind::MultipleChoice { .. });
            let options = choices.iter().map(|c| (c.value.clone(), pick(&c.label, locale))).collect();
            view! { <Options at=slot.clone() options multiple answers /> }.into_any()
        }
        FieldKind::MemberPicker { multiple } => {
            let options = members.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
            view! { <Options at=slot.clone() options multiple=*multiple answers /> }.into_any()
        }
        FieldKind::YesNo => {
            let options = vec![
                ("true".to_owned(), t_string!(i18n, answer_yes).to_owned()),
                ("false".to_owned(), t_string!(i18n, answer_no).to_owned()),
            ];
            view! { <Options at=slot.clone() options multiple=false answers kept=Kept::Bool /> }.into_any()
        }
        FieldKind::Scale => {
            let options = (1..=5).map(|n| (n.to_string(), n.to_string())).collect();
            view! { <Options at=slot.clone() options multiple=false answers kept=Kept::Number /> }.into_any()
        }
        FieldKind::Repeat { fields } => {
            view! { <RepeatItems form=form.clone() group=field.name.clone() fields=fields.clone() answers errors members=members.clone() today=today.clone() /> }.into_any()
        }
    };
    let grouped = matches!(
        field.kind,
        FieldKind::SingleChoice { .. }
            | FieldKind::MultipleChoice { .. }
            | FieldKind::MemberPicker { .. }
            | FieldKind::YesNo
            | FieldKind::Scale
            | FieldKind::Repeat { .. }
    );
    let head = if grouped {
        view! { <legend>{label}</legend> }.into_any()
    } else {
        view! { <label for=id.clone()>{label}</label> }.into_any()
    };
    let body = view! {
        {head}
        {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
        {move || error().map(|e| view! {
            <p class="field-error" id=error_id.clone()><span aria-hidden="true">"✗ "</span>{e}</p>
        })}
        {input}
    };
    let body = if grouped {
        view! { <fieldset class="field" id=id>{body}</fieldset> }.into_any()
    } else {
        view! { <div class="field">{body}</div> }.into_any()
    };
    view! { <div hidden=move || !shown.get()>{body}</div> }
}

/// What the user typed, as the answer the field takes (kept as text when it does not read).
pub(crate) fn read_typed(kind: &FieldKind, raw: &str) -> Option<Answer> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    // "NaN" and "inf" read as numbers in Rust; not here.
    let number = || {
        raw.replace(',', ".")
            .replace(['\u{202f}', ' '], "")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
    };
    Some(match kind {
        FieldKind::Integer | FieldKind::Decimal => {
            number().map_or_else(|| Answer::Text(raw.into()), Answer::Number)
        }
        // Dinars as written on paper ("1 200,5"), kept in millimes.
        FieldKind::Money => crate::domain::money::parse_dinars(raw)
            .map_or_else(|| Answer::Text(raw.into()), |m| Answer::Number(m as f64)),
        _ => Answer::Text(raw.into()),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    Text,
    Number,
    Bool,
}

/// Radio buttons or checkboxes for `slot`: `(value, label)` each.
#[component]
fn Options(
    at: Slot,
    options: Vec<(String, String)>,
    multiple: bool,
    answers: RwSignal<Answers>,
    /// How a chosen value is kept: as text (a choice), a number (a scale) or yes/no.
    #[prop(default = Kept::Text)]
    kept: Kept,
) -> impl IntoView {
    let kind = if multiple { "checkbox" } else { "radio" };
    let slot = at;
    let name = slot.id();
    let start = slot.get(&answers.get_untracked());
    options
        .into_iter()
        .map(|(value, label)| {
            let checked = match &start {
                Some(Answer::List(items)) => items.contains(&value),
                Some(Answer::Text(t)) => *t == value,
                Some(Answer::Bool(b)) => b.to_string() == value,
                Some(Answer::Number(n)) => n.to_string() == value,
                _ => false,
            };
            let slot = slot.clone();
            let sent = value.clone();
            let change = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                answers.update(|a| {
                    let next = if multiple {
                        let mut list = match slot.get(a) {
                            Some(Answer::List(items)) => items,
                            _ => Vec::new(),
                        };
                        list.retain(|v| *v != sent);
                        if on {
                            list.push(sent.clone());
                        }
                        (!list.is_empty()).then_some(Answer::List(list))
                    } else {
                        Some(match kept {
                            Kept::Bool => Answer::Bool(sent == "true"),
                            Kept::Number => sent.parse().map_or_else(|_| Answer::Text(sent.clone()), Answer::Number),
                            Kept::Text => Answer::Text(sent.clone()),
                        })
                    };
                    slot.set(a, next);
                });
            };
            view! {
                <label class="choice">
                    <input type=kind name=name.clone() value=value checked=checked on:change=change />
                    <bdi>{label}</bdi>
                </label>
            }
        })
        .collect_view()
}

/// The items of a repeat group, each with the group's fields, and buttons to add and remove.
#[component]
pub(crate) fn RepeatItems(
    form: Arc<FormDefinition>,
    group: String,
    fields: Vec<Field>,
    answers: RwSignal<Answers>,
    errors: RwSignal<Vec<AnswerError>>,
    members: Arc<Vec<(Uuid, String)>>,
    today: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = {
        let group = group.clone();
        Memo::new(move |_| {
            answers.with(|a| match a.get(&group) {
                Some(Answer::Items(items)) => items.len(),
                _ => 0,
            })
        })
    };
    let add = {
        let group = group.clone();
        move |_| {
            answers.update(|a| match a.get_mut(&group) {
                Some(Answer::Items(items)) => items.push(Answers::new()),
                _ => {
                    a.insert(group.clone(), Answer::Items(vec![Answers::new()]));
                }
            })
        }
    };
    let items = {
        let group = group.clone();
        move || {
            (0..count.get())
                .map(|i| {
                    let group_name = group.clone();
                    let remove = move |_| {
                        answers.update(|a| {
                            if let Some(Answer::Items(items)) = a.get_mut(&group_name)
                                && i < items.len()
                            {
                                items.remove(i);
                            }
                        })
                    };
                    view! {
                        <div class="repeat-item">
                            {fields.iter().cloned().map(|field| view! {
                                <FieldView form=form.clone() field answers errors members=members.clone() today=today.clone() item=Some((group.clone(), i)) />
                            }).collect_view()}
                            <button type="button" class="more" on:click=remove>{t_string!(i18n, repeat_remove)}</button>
                        </div>
                    }
                })
                .collect_view()
        }
    };
    view! {
        {items}
        <p><button type="button" class="more" on:click=add>"＋ "{t_string!(i18n, repeat_add)}</button></p>
    }
}

/// The problems of the last check, each a link to its field, above the form: focused when a save
/// is refused, so a screen reader says them first.
#[component]
pub fn FormErrorSummary(
    form: Arc<FormDefinition>,
    errors: RwSignal<Vec<AnswerError>>,
    node_ref: NodeRef<leptos::html::Div>,
    /// Problems with what the screen asks beside the form: `(id of the place, text)` each.
    #[prop(optional)]
    more: Option<Signal<Vec<(String, String)>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let more = more.unwrap_or_default();
    view! {
        <div class="error-summary" role="alert" tabindex="-1" node_ref=node_ref
            hidden=move || errors.with(Vec::is_empty) && more.with(Vec::is_empty)>
            <h2>{t_string!(i18n, form_problem)}</h2>
            <ul>
                {move || errors.get().into_iter().filter_map(|e| {
                    let field = form.all_fields().into_iter().find(|f| f.name == e.field())?.clone();
                    let (name, index) = e.path.first().cloned().unwrap_or_default();
                    let slot = Slot {
                        item: index.filter(|_| e.path.len() > 1).map(|i| (name, i)),
                        name: field.name.clone(),
                    };
                    let text = format!("{} : {}", pick(&field.label, i18n.get_locale()), problem_text(i18n, i18n.get_locale(), &field, &e.problem));
                    Some(view! { <li><a href=format!("#{}", slot.id())>{text}</a></li> })
                }).collect_view()}
                {move || more.get().into_iter().map(|(at, text)| view! {
                    <li><a href=format!("#{at}")>{text}</a></li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// A problem with one answer, in the reader's language: a constraint's own message, or ours.
pub(crate) fn problem_text(
    i18n: leptos_i18n::I18nContext<Locale>,
    locale: Locale,
    field: &Field,
    problem: &AnswerProblem,
) -> String {
    match problem {
        AnswerProblem::Constraint { index } => field
            .constraints
            .get(*index)
            .map(|c| pick(&c.message, locale))
            .unwrap_or_default(),
        AnswerProblem::Required => t_string!(i18n, answer_required).to_string(),
        AnswerProblem::WrongType => match field.kind {
            FieldKind::Money => crate::ui::text::field_error(i18n, "not_an_amount").to_string(),
            FieldKind::Integer | FieldKind::Decimal => {
                crate::ui::text::field_error(i18n, "not_a_number").to_string()
            }
            _ => t_string!(i18n, answer_wrong_type).to_string(),
        },
        AnswerProblem::UnknownChoice => t_string!(i18n, answer_unknown_choice).to_string(),
        AnswerProblem::NotADate => t_string!(i18n, answer_not_a_date).to_string(),
        AnswerProblem::UnknownField => t_string!(i18n, answer_unknown_field).to_string(),
        AnswerProblem::Record { rule } => crate::ui::text::field_error(i18n, rule).to_string(),
    }
}
