//! The words of the import, server side: column headers and messages in the three languages.
//! They never reach the WASM: the page shows the report as the server wrote it.

/// A text in French, Arabic and English.
pub type Words = [&'static str; 3];

/// The text in `lang` (`fr`, `ar` or `en`; French otherwise).
pub fn pick(words: &Words, lang: &str) -> &'static str {
    match lang {
        "ar" => words[1],
        "en" => words[2],
        _ => words[0],
    }
}

/// A column of a sheet: its key, its header in each language, whether a row needs it.
pub struct Column {
    pub key: &'static str,
    pub header: Words,
    pub required: bool,
}

const fn col(key: &'static str, header: Words, required: bool) -> Column {
    Column {
        key,
        header,
        required,
    }
}

/// The projects sheet, in the template's order.
pub const PROJECT_COLUMNS: [Column; 13] = [
    col(
        "file_code",
        ["Code du dossier", "رمز الملف", "File code"],
        true,
    ),
    col("title", ["Intitulé", "عنوان المشروع", "Title"], true),
    col("kind", ["Type", "النوع", "Kind"], true),
    col(
        "value_chain",
        ["Filière", "سلسلة القيمة", "Value chain"],
        true,
    ),
    col("locality", ["Localité", "المنطقة", "Locality"], true),
    col("incubator", ["Incubateur", "الحاضنة", "Incubator"], true),
    col(
        "facilitator_email",
        [
            "E-mail de l'animateur",
            "البريد الإلكتروني للمنشط",
            "Facilitator email",
        ],
        false,
    ),
    col(
        "legal_form",
        ["Forme juridique", "الشكل القانوني", "Legal form"],
        true,
    ),
    col(
        "training_track",
        ["Formation", "مسار التكوين", "Training track"],
        true,
    ),
    col(
        "call_wave",
        ["Vague d'appel", "دفعة الدعوة", "Call wave"],
        true,
    ),
    col("funder", ["Bailleur", "الجهة المموّلة", "Funder"], false),
    col(
        "start_date",
        ["Date de démarrage", "تاريخ الانطلاق", "Start date"],
        false,
    ),
    col(
        "grant_tnd",
        ["Subvention (DT)", "المنحة (د.ت)", "Grant (TND)"],
        false,
    ),
];

/// The members sheet, in the template's order. The six Washington Group answers are read only
/// with consent.
pub const MEMBER_COLUMNS: [Column; 14] = [
    col(
        "file_code",
        ["Code du dossier", "رمز الملف", "File code"],
        true,
    ),
    col(
        "full_name",
        ["Nom et prénom", "الاسم واللقب", "Full name"],
        true,
    ),
    col("sex", ["Sexe", "الجنس", "Sex"], true),
    col(
        "birth_year",
        ["Année de naissance", "سنة الولادة", "Birth year"],
        true,
    ),
    col("role", ["Rôle", "الدور", "Role"], true),
    col(
        "joined_on",
        ["Date d'adhésion", "تاريخ الانضمام", "Joined on"],
        true,
    ),
    col("phone", ["Téléphone", "الهاتف", "Phone"], false),
    col("consent", ["Consentement", "الموافقة", "Consent"], false),
    col("wg_seeing", ["WG voir", "WG الرؤية", "WG seeing"], false),
    col(
        "wg_hearing",
        ["WG entendre", "WG السمع", "WG hearing"],
        false,
    ),
    col(
        "wg_walking",
        ["WG marcher", "WG المشي", "WG walking"],
        false,
    ),
    col(
        "wg_cognition",
        ["WG mémoire", "WG التذكر", "WG remembering"],
        false,
    ),
    col(
        "wg_self_care",
        ["WG soins", "WG العناية الذاتية", "WG self-care"],
        false,
    ),
    col(
        "wg_communication",
        ["WG communiquer", "WG التواصل", "WG communicating"],
        false,
    ),
];

/// The sheets' names in the template.
pub const PROJECTS_SHEET: Words = ["Projets", "المشاريع", "Projects"];
pub const MEMBERS_SHEET: Words = ["Membres", "الأعضاء", "Members"];
pub const LISTS_SHEET: Words = ["Listes", "القوائم", "Lists"];

/// Why a cell, a row or a file cannot be taken.
pub fn message(code: &str) -> Words {
    match code {
        "unreadable" => [
            "Ce fichier ne se lit pas : envoyez le modèle XLSX ou un CSV en UTF-8.",
            "تعذّرت قراءة هذا الملف: أرسلوا نموذج XLSX أو ملف CSV بترميز UTF-8.",
            "This file cannot be read: send the XLSX template or a UTF-8 CSV.",
        ],
        "not_utf8" => [
            "Ce CSV n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».",
            "ملف CSV هذا ليس بترميز UTF-8: احفظوه بصيغة « CSV UTF-8 ».",
            "This CSV is not UTF-8: save it as \"CSV UTF-8\".",
        ],
        "too_big" => [
            "Fichier trop lourd (1 Mo au plus).",
            "الملف كبير جدًا (1 ميغابايت على الأكثر).",
            "File too large (1 MB at most).",
        ],
        "no_sheet" => [
            "Aucune feuille de projets ni de membres : les en-têtes du modèle manquent.",
            "لا توجد ورقة مشاريع أو أعضاء: عناوين النموذج غير موجودة.",
            "No projects or members sheet: the template's headers are missing.",
        ],
        "missing_column" => [
            "Colonne obligatoire absente.",
            "عمود إلزامي غير موجود.",
            "A required column is missing.",
        ],
        "unknown_column" => [
            "Colonne inconnue : elle n'est pas dans le modèle.",
            "عمود غير معروف: ليس في النموذج.",
            "Unknown column: it is not in the template.",
        ],
        "required" => [
            "Valeur obligatoire.",
            "قيمة إلزامية.",
            "A value is required.",
        ],
        "unknown_value" => [
            "Valeur inconnue : choisissez dans la feuille des listes.",
            "قيمة غير معروفة: اختاروا من ورقة القوائم.",
            "Unknown value: choose one from the lists sheet.",
        ],
        "ambiguous" => [
            "Plusieurs correspondent : écrivez « délégation / localité ».",
            "أكثر من تطابق: اكتبوا « المعتمدية / المنطقة ».",
            "Several match: write \"delegation / locality\".",
        ],
        "unknown_facilitator" => [
            "Aucun animateur actif n'a cet e-mail.",
            "لا يوجد منشط نشط بهذا البريد الإلكتروني.",
            "No active facilitator has this email.",
        ],
        "facilitator_elsewhere" => [
            "Cet animateur appartient à un autre incubateur.",
            "هذا المنشط ينتمي إلى حاضنة أخرى.",
            "This facilitator belongs to another incubator.",
        ],
        "not_a_date" => [
            "Date attendue (AAAA-MM-JJ ou JJ/MM/AAAA).",
            "يُنتظر تاريخ (YYYY-MM-DD أو DD/MM/YYYY).",
            "A date is expected (YYYY-MM-DD or DD/MM/YYYY).",
        ],
        "in_future" => [
            "Date dans le futur.",
            "تاريخ في المستقبل.",
            "A date in the future.",
        ],
        "not_a_number" => ["Nombre attendu.", "يُنتظر رقم.", "A number is expected."],
        "not_an_amount" => [
            "Montant en dinars attendu (3 décimales au plus).",
            "يُنتظر مبلغ بالدينار (3 أرقام عشرية على الأكثر).",
            "An amount in dinars is expected (3 decimals at most).",
        ],
        "code_format" => [
            "Code de 3 à 20 lettres, chiffres ou tirets.",
            "رمز من 3 إلى 20 حرفًا أو رقمًا أو شرطة.",
            "A code of 3 to 20 letters, digits or dashes.",
        ],
        "too_long" => ["Trop long.", "طويل جدًا.", "Too long."],
        "out_of_range" => [
            "Hors des bornes permises.",
            "خارج الحدود المسموح بها.",
            "Out of the allowed range.",
        ],
        "duplicate_row" => [
            "Déjà plus haut dans la feuille.",
            "موجود أعلى في الورقة.",
            "Already higher up in the sheet.",
        ],
        "unknown_project" => [
            "Aucun projet n'a ce code, ni dans Athar ni dans la feuille des projets.",
            "لا يوجد مشروع بهذا الرمز، لا في أثر ولا في ورقة المشاريع.",
            "No project has this code, in Athar or in the projects sheet.",
        ],
        "wg_without_consent" => [
            "Réponse du Washington Group sans consentement : elle n'est pas gardée ; videz la case ou notez le consentement.",
            "إجابة Washington Group دون موافقة: لا تُحفظ؛ أفرغوا الخانة أو سجّلوا الموافقة.",
            "A Washington Group answer without consent: it is not kept; empty the cell or record the consent.",
        ],
        "wrong_type" => [
            "Valeur d'un autre type que celui attendu.",
            "قيمة من نوع غير المنتظر.",
            "A value of another type than expected.",
        ],
        "stale" => [
            "Athar a changé depuis la vérification : vérifiez de nouveau.",
            "تغيّر أثر منذ التحقق: تحققوا من جديد.",
            "Athar changed since the check: check again.",
        ],
        _ => ["Valeur refusée.", "قيمة مرفوضة.", "Value refused."],
    }
}

/// A yes or a no in any of the three languages; `None` for anything else.
pub fn yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "oui" | "نعم" | "true" | "vrai" | "1" | "y" | "o" => Some(true),
        "no" | "non" | "لا" | "false" | "faux" | "0" | "n" => Some(false),
        _ => None,
    }
}

/// A project kind as written in any of the three languages.
pub fn project_kind(text: &str) -> Option<crate::domain::ProjectKind> {
    use crate::domain::ProjectKind;
    match text.trim().to_lowercase().as_str() {
        "individual" | "individuel" | "individuelle" | "فردي" => Some(ProjectKind::Individual),
        "collective" | "collectif" | "collective " | "جماعي" => Some(ProjectKind::Collective),
        _ => None,
    }
}
