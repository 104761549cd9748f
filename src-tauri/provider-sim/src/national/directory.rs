//! The region as the national directories hold it: a DoS entry for every hosted service plus
//! services only the directories know (not bookable, or bookable on paper only), the SDS records
//! of every GP Connect and UEC Booking service, and the postcodes DoS can search from.
//!
//! Made up, and said so: every eastings/northings pair (plausible for West Yorkshire, not
//! Ordnance Survey's), the service profiles (dispositions, symptom groups, age ranges, rotas),
//! the ranking of service types and the party keys. Service type ids and names are DoS's own
//! (`_pages/reference/service_types.md` of `nhsd-a2si/docs-dos-api`).

use crate::routes;
use crate::seed::{Hours, Kind, Region, Service, Standard};

/// DoS service types used here (`service_types.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceType {
    pub id: i64,
    pub name: &'static str,
    /// The simulator's own national ranking (1 is highest): DoS keeps ranking strategies per
    /// CCG/LAD and publishes none, so this one is made up.
    pub rank: u8,
}

pub const GP_PRACTICE: ServiceType = ServiceType {
    id: 100,
    name: "GP Practice",
    rank: 1,
};
pub const IUC_TREATMENT: ServiceType = ServiceType {
    id: 25,
    name: "Integrated Urgent Care (IUC) Treatment",
    rank: 1,
};
pub const GP_ACCESS_HUB: ServiceType = ServiceType {
    id: 136,
    name: "GP Access Hub",
    rank: 1,
};
pub const PCN_ENHANCED: ServiceType = ServiceType {
    id: 152,
    name: "Primary Care Network (PCN) Enhanced Service",
    rank: 1,
};
pub const PRIMARY_CARE_CLINIC: ServiceType = ServiceType {
    id: 159,
    name: "Primary Care Clinic",
    rank: 1,
};
pub const UTC: ServiceType = ServiceType {
    id: 135,
    name: "Urgent Treatment Centre (UTC)",
    rank: 2,
};
pub const PHARMACY: ServiceType = ServiceType {
    id: 13,
    name: "Pharmacy",
    rank: 2,
};
pub const DENTAL_EMERGENCY: ServiceType = ServiceType {
    id: 47,
    name: "Dental Emergency",
    rank: 2,
};
pub const EMERGENCY_DEPARTMENT: ServiceType = ServiceType {
    id: 105,
    name: "Emergency Department (ED)",
    rank: 3,
};

/// A Pathways disposition as DoS knows it: its Dx code and its timeframe in minutes (which
/// sets the search's session window; `ccs_search_logic_v1_5.md`, "Match Session Times").
/// Descriptions come from the published lists (`docs-uec-appts` `fs_slotmap.md`, `docs-dos-api`
/// `key_concepts.md` and `searching_for_services.md`); Dx02/Dx03 and every timeframe are the
/// simulator's reading of the names.
pub struct Disposition {
    pub dx: &'static str,
    pub minutes: u32,
}

pub const DISPOSITIONS: &[Disposition] = &[
    Disposition {
        dx: "Dx02",
        minutes: 60,
    },
    Disposition {
        dx: "Dx03",
        minutes: 240,
    },
    Disposition {
        dx: "Dx05",
        minutes: 120,
    },
    Disposition {
        dx: "Dx06",
        minutes: 360,
    },
    Disposition {
        dx: "Dx07",
        minutes: 720,
    },
    Disposition {
        dx: "Dx08",
        minutes: 1440,
    },
    Disposition {
        dx: "Dx10",
        minutes: 10080,
    },
    Disposition {
        dx: "Dx11",
        minutes: 60,
    },
    Disposition {
        dx: "Dx12",
        minutes: 120,
    },
    Disposition {
        dx: "Dx13",
        minutes: 360,
    },
    Disposition {
        dx: "Dx14",
        minutes: 720,
    },
    Disposition {
        dx: "Dx15",
        minutes: 1440,
    },
    Disposition {
        dx: "Dx17",
        minutes: 60,
    },
    Disposition {
        dx: "Dx75",
        minutes: 4320,
    },
    Disposition {
        dx: "Dx80",
        minutes: 360,
    },
    Disposition {
        dx: "Dx81",
        minutes: 1440,
    },
    Disposition {
        dx: "Dx85",
        minutes: 120,
    },
];

/// The int a Dx code is sent as in `<disposition>`: "Dx" replaced by "10" (Dx05 → 1005). No
/// DoS page states it; NHS 111 Online, a DoS consumer NHS published, converts this way
/// (`NHSChoices/nhs111-online`, `NHS111/NHS111.Models/Mappers/WebMappings/
/// FromOutcomeViewModelToDosViewModel.cs`, `DispositionResolver`).
pub fn disposition_int(dx: &str) -> Option<i64> {
    let digits = dx.strip_prefix("Dx")?;
    format!("10{digits}").parse().ok()
}

/// The disposition an int names.
pub fn disposition(id: i64) -> Option<&'static Disposition> {
    DISPOSITIONS
        .iter()
        .find(|d| disposition_int(d.dx) == Some(id))
}

/// Symptom groups and the discriminators valid with each (`key_concepts.md` lists SG1010 and
/// SG1011 with theirs; SG1206/SD4193 is the pair of the DoS documentation's example request,
/// `api_testing.md`). On the wire the codes are their numbers (SG1010 → 1010).
pub const SYMPTOM_GROUPS: &[(i64, &[i64])] = &[
    (1010, &[4003, 4020, 4052]),
    (1011, &[4003, 4010, 4052, 4304]),
    (1206, &[4193]),
];

/// A session in the weekly rota, local (Europe/London) time; `day` 0 is Monday.
#[derive(Clone, Copy, Debug)]
pub struct Session {
    /// 0 Monday … 6 Sunday, and [`BANK_HOLIDAY`]: the WSDL's `DayOfWeek` has a `Bankholiday`
    /// day that gives a service's opening on bank holidays.
    pub day: u32,
    pub start: u32,
    pub end: u32,
}

/// When a service is open.
#[derive(Clone, Debug)]
pub enum Opening {
    AllHours,
    Rota(Vec<Session>),
}

/// A service's clinical profile: what DoS matches a case against.
#[derive(Clone, Debug)]
pub struct Profile {
    pub dispositions: &'static [&'static str],
    pub symptom_groups: &'static [i64],
    pub discriminators: &'static [i64],
    /// Days, inclusive.
    pub age_days: (f64, f64),
    /// Restricted to patients registered at these practices ("service referral").
    pub restricted_to: Option<&'static str>,
}

/// DoS capacity: High (green), Low (amber), None (red: never returned).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    High,
    Low,
    None,
}

impl Capacity {
    pub fn as_str(self) -> &'static str {
        match self {
            Capacity::High => "High",
            Capacity::Low => "Low",
            Capacity::None => "None",
        }
    }
}

/// One DoS endpoint (`ccs_field_def_v1_5.md`, serviceEndpoints).
#[derive(Clone, Debug)]
pub struct DosEndpoint {
    pub order: u32,
    pub transport: &'static str,
    pub format: &'static str,
    pub interaction: &'static str,
    pub business_scenario: &'static str,
    pub address: String,
    pub compression: &'static str,
    pub comment: &'static str,
}

impl DosEndpoint {
    /// `docs-uec-appts` `dos_endpoints_booking.md`: transport `http`, format `FHIR`,
    /// interaction `Scheduling`, address `ODS:xxxx` pointing at the SDS record.
    fn booking(ods: &str) -> Self {
        DosEndpoint {
            order: 1,
            transport: "http",
            format: "FHIR",
            interaction: "Scheduling",
            business_scenario: "Primary",
            address: format!("ODS:{ods}"),
            compression: "uncompressed",
            comment: "Appointment booking",
        }
    }

    /// Where the service takes the NHS 111 report (CDA over ITK): `docs-uec-appts`
    /// `dos_endpoints_existing.md` and `dos_endpoints_new.md` — transport `itk`, format `CDA`,
    /// an ITK recipient interaction, business scenario `Primary`, the address a URL.
    fn itk_report(interaction: &'static str, url: String) -> Self {
        DosEndpoint {
            order: 2,
            transport: "itk",
            format: "CDA",
            interaction,
            business_scenario: "Primary",
            address: url,
            compression: "uncompressed",
            comment: "NHS 111 report",
        }
    }
}

/// A service as DoS holds it.
#[derive(Clone, Debug)]
pub struct DosService {
    pub id: String,
    pub name: String,
    pub public_name: Option<String>,
    pub ods: String,
    pub service_type: ServiceType,
    pub address: String,
    pub postcode: String,
    pub phone: String,
    pub referral_information: String,
    pub capacity: Capacity,
    pub opening: Opening,
    pub profile: Profile,
    pub endpoints: Vec<DosEndpoint>,
    /// Service attributes as (name, value), e.g. `requirebooking` (`dos_bookingonly.md`).
    pub attributes: Vec<(&'static str, &'static str)>,
}

/// One MHS/AS pair in SDS: the endpoint of an interaction at an organisation and the ASID
/// behind it.
#[derive(Clone, Debug)]
pub struct SdsRecord {
    pub ods: String,
    pub interaction: String,
    pub address: String,
    pub party_key: String,
    pub asid: String,
}

/// A postcode DoS knows, with its made-up grid reference.
pub struct Postcode {
    pub postcode: &'static str,
    pub eastings: i64,
    pub northings: i64,
}

const fn pc(postcode: &'static str, eastings: i64, northings: i64) -> Postcode {
    Postcode {
        postcode,
        eastings,
        northings,
    }
}

/// Made-up grid references (plausible for each town, not Ordnance Survey's). CF10 1EP is far
/// outside the region, where no service is within reach.
pub const POSTCODES: &[Postcode] = &[
    pc("LS1 4AP", 429_900, 433_600),
    pc("LS5 3BQ", 425_900, 436_000),
    pc("LS6 3BW", 427_900, 436_900),
    pc("LS6 1LJ", 428_600, 435_300),
    pc("LS10 2AB", 431_000, 430_200),
    pc("LS12 4QT", 426_200, 432_500),
    pc("LS14 6UH", 436_500, 436_700),
    pc("LS13 3AB", 423_400, 434_100),
    pc("LS28 7XY", 421_900, 433_000),
    pc("LS16 5AA", 426_900, 440_200),
    pc("LS4 2QF", 427_200, 435_400),
    pc("LS18 4LA", 423_700, 438_500),
    pc("WF1 2AB", 433_300, 420_700),
    pc("WF1 3JS", 432_600, 423_700),
    pc("WF1 4DG", 434_400, 420_300),
    pc("WF5 8AA", 427_900, 420_600),
    pc("HD1 6RX", 414_700, 416_500),
    pc("HD2 2AG", 415_300, 418_900),
    pc("HD3 3NE", 410_900, 417_100),
    pc("HD5 9AB", 417_100, 416_700),
    pc("HX1 1QX", 409_300, 425_100),
    pc("HX1 5AS", 408_600, 425_400),
    pc("HX3 0PW", 409_900, 422_800),
    pc("BD8 7BN", 415_300, 434_200),
    pc("BD19 3TQ", 419_500, 425_300),
    pc("BD21 2LS", 406_000, 441_700),
    pc("BD21 2TQ", 405_600, 441_200),
    pc("CF10 1EP", 318_400, 176_100),
];

/// The grid reference of a postcode DoS knows, compared without spaces or case.
pub fn postcode(text: &str) -> Option<&'static Postcode> {
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    let wanted = key(text);
    POSTCODES.iter().find(|p| key(p.postcode) == wanted)
}

/// The special services only the directories hold, by DoS id (see [`crate::NationalCases`]).
pub mod cases {
    pub const PHARMACY: &str = "2000100901";
    pub const DENTAL: &str = "2000100902";
    /// Red capacity: DoS never returns it (`ccs_search_logic_v1_5.md`, "Check Capacity Status").
    pub const RED_PHARMACY: &str = "2000100903";
    pub const NO_SDS_ENDPOINT: &str = "2000100904";
    pub const WRONG_SDS_ASID: &str = "2000100905";
    pub const TWO_SDS_ENDPOINTS: &str = "2000100906";
    /// The ASID SDS wrongly gives for [`WRONG_SDS_ASID`]; the practice whose system its
    /// endpoint is refuses it as `Ssp-To`.
    pub const WRONG_ASID: &str = "918999198999";
}

const ALL_AGES: (f64, f64) = (0.0, 129.0 * 365.25);
const PRIMARY_CARE_DX: &[&str] = &[
    "Dx05", "Dx06", "Dx07", "Dx08", "Dx10", "Dx11", "Dx12", "Dx13", "Dx14", "Dx15", "Dx75", "Dx81",
];
const OOH_DX: &[&str] = &[
    "Dx05", "Dx06", "Dx07", "Dx08", "Dx11", "Dx12", "Dx13", "Dx14", "Dx15",
];
const UTC_DX: &[&str] = &["Dx02", "Dx03", "Dx05", "Dx06", "Dx11", "Dx12"];
const ED_DX: &[&str] = &["Dx02", "Dx03"];
const PRIMARY_SG: &[i64] = &[1010, 1011, 1206];
const PRIMARY_SD: &[i64] = &[4003, 4020, 4193];
const URGENT_SG: &[i64] = &[1010, 1011];
const UTC_SD: &[i64] = &[4003, 4020, 4304];
const ED_SD: &[i64] = &[4003, 4010, 4052, 4304];

/// The rota's day for bank holidays (`Bankholiday` in the WSDL's `DayOfWeek`).
pub const BANK_HOLIDAY: u32 = 7;

/// The weekly rota of a seed schedule's hours, as DoS sessions (which never cross midnight):
/// practices open on weekdays are closed on bank holidays (no `Bankholiday` session); services
/// open every day, or at weekends, keep their weekend hours on them.
fn rota(hours: Hours) -> Vec<Session> {
    let mut out = Vec::new();
    for day in 0..=BANK_HOLIDAY {
        let weekday = day < 5;
        let sessions: &[(u32, u32)] = match hours {
            Hours::Weekdays(s) if weekday => s,
            Hours::Weekdays(_) => &[],
            Hours::Daily(s) => s,
            Hours::EveningsAndWeekends if weekday => &[(18 * 60 + 30, 22 * 60)],
            Hours::EveningsAndWeekends => &[(8 * 60, 22 * 60)],
        };
        out.extend(
            sessions
                .iter()
                .map(|&(start, end)| Session { day, start, end }),
        );
    }
    out
}

fn hosted_profile(s: &Service) -> (ServiceType, Opening, Profile) {
    let hours = s.schedules.first().map(|x| x.hours);
    let opening = |h: Option<Hours>| h.map_or(Opening::AllHours, |h| Opening::Rota(rota(h)));
    match s.kind {
        Kind::GpPractice => (
            GP_PRACTICE,
            // A practice is open its working day, whatever each clinician's sessions.
            Opening::Rota(rota(Hours::Weekdays(&[(8 * 60, 18 * 60 + 30)]))),
            Profile {
                dispositions: PRIMARY_CARE_DX,
                symptom_groups: PRIMARY_SG,
                discriminators: PRIMARY_SD,
                age_days: ALL_AGES,
                restricted_to: Some(s.ods),
            },
        ),
        Kind::GpOutOfHours => (
            IUC_TREATMENT,
            opening(hours),
            Profile {
                dispositions: OOH_DX,
                symptom_groups: PRIMARY_SG,
                discriminators: PRIMARY_SD,
                age_days: ALL_AGES,
                restricted_to: None,
            },
        ),
        Kind::UrgentCare => (
            UTC,
            opening(hours),
            Profile {
                dispositions: UTC_DX,
                symptom_groups: URGENT_SG,
                discriminators: UTC_SD,
                // Calder Valley sees no one under a year old.
                age_days: if s.id == "calder-valley-utc" {
                    (365.25, ALL_AGES.1)
                } else {
                    ALL_AGES
                },
                restricted_to: None,
            },
        ),
        Kind::EmergencyDepartment => (
            EMERGENCY_DEPARTMENT,
            Opening::AllHours,
            Profile {
                dispositions: ED_DX,
                symptom_groups: URGENT_SG,
                discriminators: ED_SD,
                age_days: ALL_AGES,
                restricted_to: None,
            },
        ),
    }
}

/// The DoS id of a hosted service: a BaRS service's own, a UEC service's HealthcareService id
/// (DoS-style ids already), else a fresh one.
fn hosted_dos_id(s: &Service) -> String {
    if let Some(id) = s.dos_service_id.or(s.healthcare_service) {
        return id.to_string();
    }
    let fresh = match s.id {
        "beckside-medical-practice" => "2000100801",
        "chapel-lane-surgery" => "2000100802",
        "holmfield-health-centre" => "2000100803",
        "riverside-family-practice" => "2000100804",
        "west-yorkshire-gp-out-of-hours" => "2000100805",
        "moor-road-health-centre" => "2000100809",
        // Any other hosted service: a stable id from its ASID's last digits.
        _ => return format!("20001{}", &s.asid[s.asid.len() - 5..]),
    };
    fresh.to_string()
}

fn hosted(s: &Service, base_url: &str) -> DosService {
    let (service_type, opening, profile) = hosted_profile(s);
    let endpoints = match s.standard {
        Standard::GpConnect => vec![DosEndpoint::booking(s.ods)],
        // UEC services take the 111 report by ITK beside the booking (`dos_itk.md`).
        Standard::UecBooking => {
            let interaction = if s.kind == Kind::EmergencyDepartment {
                "urn:nhs-itk:interaction:primaryEmergencyDepartmentRecipientNHS111CDADocument-v2-0"
            } else {
                "urn:nhs-itk:interaction:primaryOutofHourRecipientNHS111CDADocument-v2-0"
            };
            let report = format!("{base_url}{}", crate::itk::report_path(s.id));
            vec![
                DosEndpoint::booking(s.ods),
                DosEndpoint::itk_report(interaction, report),
            ]
        }
        // BaRS services are found in the BaRS endpoint catalogue under their DoS id.
        Standard::Bars => Vec::new(),
    };
    let attributes = if s.id == "airedale-park-utc" {
        // `dos_bookingonly.md`: referral only with a booked appointment.
        vec![("requirebooking", "true")]
    } else {
        Vec::new()
    };
    DosService {
        id: hosted_dos_id(s),
        name: s.name.to_string(),
        public_name: Some(s.name.to_string()),
        ods: s.ods.to_string(),
        service_type,
        address: s.address.one_line(),
        postcode: s.address.postcode.to_string(),
        phone: s.phone.to_string(),
        referral_information: "Book an appointment through the booking endpoint.".to_string(),
        capacity: if s.id == "leeds-east-ed" {
            Capacity::Low
        } else {
            Capacity::High
        },
        opening,
        profile,
        endpoints,
        attributes,
    }
}

#[allow(clippy::too_many_arguments)]
fn extra(
    id: &str,
    name: &str,
    ods: &str,
    service_type: ServiceType,
    address: &str,
    postcode: &str,
    phone: &str,
    capacity: Capacity,
    opening: Opening,
    profile: Profile,
    bookable: bool,
) -> DosService {
    DosService {
        id: id.to_string(),
        name: name.to_string(),
        public_name: Some(name.to_string()),
        ods: ods.to_string(),
        service_type,
        address: address.to_string(),
        postcode: postcode.to_string(),
        phone: phone.to_string(),
        referral_information: if bookable {
            "Book an appointment through the booking endpoint.".to_string()
        } else {
            format!("Call to refer: {phone}. This service takes no electronic bookings.")
        },
        capacity,
        opening,
        profile,
        endpoints: if bookable {
            vec![DosEndpoint::booking(ods)]
        } else {
            Vec::new()
        },
        attributes: Vec::new(),
    }
}

const HUB_PROFILE: Profile = Profile {
    dispositions: PRIMARY_CARE_DX,
    symptom_groups: PRIMARY_SG,
    discriminators: PRIMARY_SD,
    age_days: ALL_AGES,
    restricted_to: None,
};

/// Services only the directories know. ODS codes are in the format of their kind and belong to
/// no real organisation; phones are in Ofcom's drama range.
fn extras() -> Vec<DosService> {
    let shop = |d| Session {
        day: d,
        start: 9 * 60,
        end: 18 * 60,
    };
    let shop_week = || Opening::Rota((0..6).map(shop).collect());
    let hub_day = || Opening::Rota(rota(Hours::Daily(&[(8 * 60, 20 * 60)])));
    let repeat = Profile {
        dispositions: &["Dx80", "Dx85"],
        symptom_groups: &[1206],
        discriminators: &[4193],
        age_days: ALL_AGES,
        restricted_to: None,
    };
    vec![
        extra(
            cases::PHARMACY,
            "Kirkstall Lane Pharmacy",
            "FA101",
            PHARMACY,
            "88 Kirkstall Lane, Leeds",
            "LS4 2QF",
            "0113 496 0951",
            Capacity::High,
            shop_week(),
            repeat.clone(),
            false,
        ),
        extra(
            cases::DENTAL,
            "Headingley Urgent Dental Care",
            "V00101",
            DENTAL_EMERGENCY,
            "2 Otley Road, Headingley, Leeds",
            "LS16 5AA",
            "0113 496 0952",
            Capacity::High,
            hub_day(),
            Profile {
                dispositions: &["Dx17"],
                symptom_groups: &[1206],
                discriminators: &[4193],
                age_days: ALL_AGES,
                restricted_to: None,
            },
            false,
        ),
        extra(
            cases::RED_PHARMACY,
            "Horsforth Late Night Pharmacy",
            "FA102",
            PHARMACY,
            "15 Town Street, Horsforth, Leeds",
            "LS18 4LA",
            "0113 496 0953",
            Capacity::None,
            Opening::AllHours,
            repeat,
            false,
        ),
        extra(
            cases::NO_SDS_ENDPOINT,
            "Bramley Extended Access Hub",
            "Y01101",
            GP_ACCESS_HUB,
            "Bramley Health Centre, 1 Hough Lane, Leeds",
            "LS13 3AB",
            "0113 496 0954",
            Capacity::High,
            hub_day(),
            HUB_PROFILE,
            true,
        ),
        extra(
            cases::WRONG_SDS_ASID,
            "Kirkstall PCN Same Day Service",
            "U10101",
            PCN_ENHANCED,
            "12 Beckside Road, Kirkstall, Leeds",
            "LS5 3BQ",
            "0113 496 0955",
            Capacity::High,
            hub_day(),
            HUB_PROFILE,
            true,
        ),
        extra(
            cases::TWO_SDS_ENDPOINTS,
            "Pudsey Primary Care Clinic",
            "Y01102",
            PRIMARY_CARE_CLINIC,
            "3 Church Lane, Pudsey, Leeds",
            "LS28 7XY",
            "0113 496 0956",
            Capacity::High,
            hub_day(),
            HUB_PROFILE,
            true,
        ),
    ]
}

/// Every interaction id a hosted service's routes accept, per standard.
fn interactions(standard: Standard) -> Vec<String> {
    match standard {
        Standard::GpConnect => routes::GPC_INTERACTIONS
            .iter()
            .map(|s| format!("{}{s}", routes::GPC_PREFIX))
            .collect(),
        Standard::UecBooking => routes::UEC_INTERACTIONS
            .iter()
            .map(|s| format!("{}{s}", routes::UEC_PREFIX))
            .collect(),
        Standard::Bars => Vec::new(),
    }
}

/// A made-up MHS party key in SDS's `{ODS}-{7 digits}` form (GP Connect's worked example:
/// `T99999-9999999`).
fn party_key(ods: &str, asid: &str) -> String {
    format!("{ods}-{}", &asid[asid.len() - 7..])
}

/// The national directories' view of a region.
pub struct Directory {
    pub dos: Vec<DosService>,
    pub sds: Vec<SdsRecord>,
}

impl Directory {
    /// `root_url` gives a hosted service's full root URL; `base_url` the simulator's.
    pub fn build(region: &Region, base_url: &str, root_url: impl Fn(&Service) -> String) -> Self {
        let mut dos: Vec<DosService> = region
            .services
            .iter()
            .map(|s| hosted(s, base_url.trim_end_matches('/')))
            .collect();
        dos.extend(extras());
        let mut sds = Vec::new();
        for s in &region.services {
            for interaction in interactions(s.standard) {
                sds.push(SdsRecord {
                    ods: s.ods.to_string(),
                    interaction,
                    address: root_url(s),
                    party_key: party_key(s.ods, s.asid),
                    asid: s.asid.to_string(),
                });
            }
        }
        // The PCN's SDS record points at Beckside's GP system, where its bookings go, but gives
        // an ASID that system does not answer to.
        if let Some(host) = region.gp_service_by_ods("B86001") {
            for interaction in interactions(Standard::GpConnect) {
                sds.push(SdsRecord {
                    ods: "U10101".to_string(),
                    interaction,
                    address: root_url(host),
                    party_key: party_key("U10101", cases::WRONG_ASID),
                    asid: cases::WRONG_ASID.to_string(),
                });
            }
        }
        // The clinic has two MHS records for every interaction: a fault mode
        // (`dos_wfoverview.md`).
        for (n, asid) in ["918999198991", "918999198992"].into_iter().enumerate() {
            for interaction in interactions(Standard::GpConnect) {
                sds.push(SdsRecord {
                    ods: "Y01102".to_string(),
                    interaction,
                    address: format!("{base_url}/Y01102/STU3/1/gpconnect{}", ["", "/v2"][n]),
                    party_key: party_key("Y01102", asid),
                    asid: asid.to_string(),
                });
            }
        }
        Directory { dos, sds }
    }

    pub fn dos_service(&self, id: &str) -> Option<&DosService> {
        self.dos.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::region;
    use std::collections::HashSet;

    fn dir() -> Directory {
        Directory::build(&region(), "http://127.0.0.1:1", |s| {
            format!("http://127.0.0.1:1{}", s.root_path())
        })
    }

    #[test]
    fn every_dos_service_has_a_known_postcode_and_a_unique_id() {
        let d = dir();
        let ids: HashSet<&str> = d.dos.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids.len(), d.dos.len());
        for s in &d.dos {
            assert!(postcode(&s.postcode).is_some(), "{}", s.postcode);
            assert!(s.id.parse::<i32>().is_ok(), "{} must fit DoS's int", s.id);
        }
        for p in crate::seed::patients() {
            assert!(postcode(&p.postcode).is_some(), "{}", p.postcode);
        }
    }

    #[test]
    fn dispositions_are_sent_as_ten_then_the_digits() {
        assert_eq!(disposition_int("Dx05"), Some(1005));
        assert_eq!(disposition_int("Dx75"), Some(1075));
        assert_eq!(disposition(1017).map(|d| d.dx), Some("Dx17"));
        assert!(disposition(1099).is_none());
    }

    #[test]
    fn profiles_name_only_known_codes() {
        for s in dir().dos {
            for dx in s.profile.dispositions {
                assert!(DISPOSITIONS.iter().any(|d| d.dx == *dx), "{dx}");
            }
            for sg in s.profile.symptom_groups {
                assert!(SYMPTOM_GROUPS.iter().any(|(g, _)| g == sg), "{sg}");
            }
        }
    }
}
