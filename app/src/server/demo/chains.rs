//! What the demo draws from: the value chains of the oasis and how they earn through the year,
//! the places of the governorate, and first and family names (combined at random: fictional
//! people).

/// How a value chain earns through the year: `(low, high)` monthly sales in dinars and the months
/// (1–12) of its high season.
pub(super) struct Seasonality {
    pub low: i64,
    pub high: i64,
    pub peak_months: &'static [u8],
}

/// A value chain of the oasis, and what its projects do.
pub(super) struct ChainSpec {
    pub code: &'static str,
    pub fr: &'static str,
    pub ar: &'static str,
    pub en: &'static str,
    pub projects: usize,
    pub activities: &'static [&'static str],
    pub season: Seasonality,
}

pub(super) const CHAINS: [ChainSpec; 8] = [
    ChainSpec {
        code: "DAT",
        fr: "Dattes et dérivés",
        ar: "التمور ومشتقاتها",
        en: "Dates and derivatives",
        projects: 12,
        activities: &[
            "Conditionnement de dattes",
            "Pâte de dattes",
            "Rob et sirop de dattes",
            "Tri et calibrage de dattes",
            "Café de noyaux de dattes",
        ],
        season: Seasonality {
            low: 200,
            high: 6_000,
            peak_months: &[10, 11, 12, 1],
        },
    },
    ChainSpec {
        code: "PAL",
        fr: "Sous-produits du palmier",
        ar: "مخلفات النخيل",
        en: "Palm by-products",
        projects: 9,
        activities: &[
            "Compost de palmes",
            "Aliment de bétail",
            "Broyage de palmes",
        ],
        season: Seasonality {
            low: 300,
            high: 1_500,
            peak_months: &[9, 10, 11, 12, 1, 2],
        },
    },
    ChainSpec {
        code: "ART",
        fr: "Artisanat",
        ar: "الصناعات التقليدية",
        en: "Crafts",
        projects: 8,
        activities: &[
            "Vannerie en palmes",
            "Tissage de margoum",
            "Objets en bois de palmier",
        ],
        season: Seasonality {
            low: 150,
            high: 600,
            peak_months: &[12, 3, 4],
        },
    },
    ChainSpec {
        code: "TOU",
        fr: "Tourisme saharien",
        ar: "السياحة الصحراوية",
        en: "Saharan tourism",
        projects: 7,
        activities: &[
            "Maison d'hôtes",
            "Randonnée chamelière",
            "Guide du désert",
            "Cuisine du terroir",
        ],
        season: Seasonality {
            low: 0,
            high: 4_500,
            peak_months: &[10, 11, 12, 1, 2, 3, 4],
        },
    },
    ChainSpec {
        code: "REC",
        fr: "Recyclage",
        ar: "الرسكلة",
        en: "Recycling",
        projects: 4,
        activities: &["Collecte du plastique", "Recyclage du carton"],
        season: Seasonality {
            low: 250,
            high: 800,
            peak_months: &[7, 8],
        },
    },
    ChainSpec {
        code: "AGS",
        fr: "Services agricoles",
        ar: "الخدمات الفلاحية",
        en: "Agricultural services",
        projects: 4,
        activities: &[
            "Pollinisation des palmiers",
            "Entretien du goutte-à-goutte",
            "Nettoyage des palmiers",
        ],
        season: Seasonality {
            low: 200,
            high: 1_800,
            peak_months: &[3, 4, 9, 10],
        },
    },
    ChainSpec {
        code: "ELE",
        fr: "Élevage",
        ar: "تربية الماشية",
        en: "Livestock",
        projects: 3,
        activities: &["Petits ruminants", "Lait de chamelle"],
        season: Seasonality {
            low: 400,
            high: 1_200,
            peak_months: &[6, 7],
        },
    },
    ChainSpec {
        code: "GEO",
        fr: "Serres géothermiques",
        ar: "البيوت المكيفة بالطاقة الحرارية الجوفية",
        en: "Geothermal greenhouses",
        projects: 2,
        activities: &["Primeurs sous serre géothermique"],
        season: Seasonality {
            low: 500,
            high: 5_000,
            peak_months: &[12, 1, 2, 3],
        },
    },
];

/// `(delegation, place)` pairs; most projects sit in Kébili Nord, tourism in Douz and Faouar.
pub(super) const PLACES: [(&str, &str); 10] = [
    ("Kébili Nord", "Kébili"),
    ("Kébili Nord", "Ras El Ain"),
    ("Kébili Nord", "Mansoura"),
    ("Kébili Nord", "Telmine"),
    ("Kébili Sud", "Jemna"),
    ("Souk Lahad", "Stiftimia"),
    ("Douz Nord", "Douz"),
    ("Douz Sud", "Golâa"),
    ("Faouar", "El Faouar"),
    ("Rjim Maatoug", "Rjim Maatoug"),
];

pub(super) const WOMEN: [&str; 24] = [
    "Fatma", "Mabrouka", "Salha", "Amal", "Rim", "Sabrine", "Zohra", "Hanen", "Nadia", "Souad",
    "Ines", "Khadija", "Monia", "Rania", "Olfa", "Najet", "Wafa", "Latifa", "Hayet", "Samia",
    "Asma", "Jamila", "Emna", "Houda",
];
pub(super) const MEN: [&str; 20] = [
    "Mohamed", "Ali", "Béchir", "Hamza", "Slim", "Oussama", "Lotfi", "Karim", "Sami", "Nabil",
    "Walid", "Mourad", "Hatem", "Anis", "Fathi", "Ridha", "Bilel", "Aymen", "Taher", "Moez",
];
/// Neutral family names, combined at random: fictional people.
pub(super) const FAMILIES: [&str; 22] = [
    "Ben Salah",
    "Ben Amor",
    "Jlassi",
    "Ghribi",
    "Chaabane",
    "Mansouri",
    "Hamdi",
    "Saidi",
    "Nasri",
    "Ouni",
    "Zitouni",
    "Khelifi",
    "Guesmi",
    "Mejri",
    "Abidi",
    "Ferchichi",
    "Haddad",
    "Toumi",
    "Rebai",
    "Belhaj",
    "Marzouki",
    "Sassi",
];
