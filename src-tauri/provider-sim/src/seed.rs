//! The demo region: a fictional corner of West Yorkshire with GP practices, a GP out-of-hours
//! service, urgent treatment centres and an emergency department, plus demo patients. Most speak
//! GP Connect or UEC Booking; a second set of services speaks BaRS.
//!
//! Phone numbers come from the ranges Ofcom reserves for drama (0113 496 0xxx, 07700 900xxx),
//! so nothing here can reach a real person.

use crate::DemoPatient;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standard {
    GpConnect,
    UecBooking,
    /// The Booking and Referral Standard (FHIR R4), reached through the national API platform.
    Bars,
}

impl Standard {
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::GpConnect => "gp-connect",
            Standard::UecBooking => "uec-booking",
            Standard::Bars => "bars",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    GpPractice,
    GpOutOfHours,
    UrgentCare,
    EmergencyDepartment,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::GpPractice => "gp-practice",
            Kind::GpOutOfHours => "gp-out-of-hours",
            Kind::UrgentCare => "urgent-care",
            Kind::EmergencyDepartment => "emergency-department",
        }
    }
}

/// How a UEC service answers a booking for a slot that is no longer free: the published sources
/// disagree, so the region deliberately has both behaviours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotTakenAnswer {
    Conflict409,
    BusinessRule422,
}

#[derive(Clone, Debug)]
pub struct Address {
    pub lines: &'static [&'static str],
    pub city: &'static str,
    pub district: &'static str,
    pub postcode: &'static str,
}

impl Address {
    pub fn one_line(&self) -> String {
        let mut parts: Vec<&str> = self.lines.to_vec();
        parts.push(self.city);
        parts.join(", ")
    }
}

#[derive(Clone, Debug)]
pub struct PractitionerDef {
    pub id: &'static str,
    pub family: &'static str,
    pub given: &'static str,
    pub prefix: &'static str,
    pub gender: &'static str,
    pub sds_user_id: &'static str,
}

impl PractitionerDef {
    pub fn display(&self) -> String {
        format!("{} {} {}", self.prefix, self.given, self.family)
    }
}

/// An SDS job role (CareConnect-SDSJobRoleName-1).
#[derive(Clone, Copy, Debug)]
pub struct JobRole {
    pub code: &'static str,
    pub display: &'static str,
}

pub const GENERAL_MEDICAL_PRACTITIONER: JobRole = JobRole {
    code: "R0260",
    display: "General Medical Practitioner",
};
pub const SALARIED_GP: JobRole = JobRole {
    code: "R0270",
    display: "Salaried General Practitioner",
};
pub const LOCUM_GP: JobRole = JobRole {
    code: "R0262",
    display: "Locum GP",
};
pub const SPECIALIST_NURSE_PRACTITIONER: JobRole = JobRole {
    code: "R0600",
    display: "Specialist Nurse Practitioner",
};
pub const STAFF_NURSE: JobRole = JobRole {
    code: "R0620",
    display: "Staff Nurse",
};
pub const PARAMEDIC: JobRole = JobRole {
    code: "R1070",
    display: "Paramedic",
};
pub const CONSULTANT: JobRole = JobRole {
    code: "R0050",
    display: "Consultant",
};

/// One kind of slot a schedule offers: its slot type text and delivery channel.
#[derive(Clone, Copy, Debug)]
pub struct SlotKind {
    pub service_type: &'static str,
    pub channel: &'static str,
}

const fn kind(service_type: &'static str, channel: &'static str) -> SlotKind {
    SlotKind {
        service_type,
        channel,
    }
}

/// When a schedule runs, in Europe/London local minutes after midnight.
#[derive(Clone, Copy, Debug)]
pub enum Hours {
    /// Monday to Friday only.
    Weekdays(&'static [(u32, u32)]),
    /// Weekday evenings 18:30–22:00, weekends 08:00–22:00.
    EveningsAndWeekends,
    /// Every day.
    Daily(&'static [(u32, u32)]),
}

const fn hm(h: u32, m: u32) -> u32 {
    h * 60 + m
}

const GP_DAY: &[(u32, u32)] = &[(hm(8, 0), hm(12, 30)), (hm(14, 0), hm(18, 30))];
const GP_MORNING: &[(u32, u32)] = &[(hm(8, 0), hm(12, 30))];
const GP_AFTERNOON: &[(u32, u32)] = &[(hm(13, 30), hm(18, 30))];
const UTC_DAY: &[(u32, u32)] = &[(hm(8, 0), hm(20, 0))];
const ED_ALL_DAY: &[(u32, u32)] = &[(0, hm(24, 0))];
const ED_MINORS: &[(u32, u32)] = &[(hm(8, 0), hm(22, 0))];

#[derive(Clone, Debug)]
pub struct ScheduleDef {
    /// GP Connect schedule ids are numeric and unique across the region, which lets slot ids
    /// embed them.
    pub id: &'static str,
    pub practitioner: PractitionerDef,
    /// The PractitionerRole id (UEC only).
    pub role_id: &'static str,
    pub job_role: JobRole,
    pub category: &'static str,
    pub slot_minutes: u32,
    pub hours: Hours,
    /// Slot kinds cycle through the day in this order.
    pub kinds: &'static [SlotKind],
}

#[derive(Clone, Debug)]
pub struct LocationDef {
    pub id: &'static str,
    pub name: &'static str,
    pub address: Address,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub standard: Standard,
    pub ods: &'static str,
    pub asid: &'static str,
    pub phone: &'static str,
    pub organization_id: &'static str,
    pub address: Address,
    pub location: LocationDef,
    /// DoS-style HealthcareService id (UEC only).
    pub healthcare_service: Option<&'static str>,
    /// BaRS only: the service's DoS id, which senders put in `NHSD-Target-Identifier` and which
    /// is also its HealthcareService id.
    pub dos_service_id: Option<&'static str>,
    pub sends_delivery_channel: bool,
    pub slot_taken: SlotTakenAnswer,
    /// Patient logical ids at this service are this base plus the demo patient's position.
    pub patient_id_base: u32,
    pub schedules: Vec<ScheduleDef>,
}

impl Service {
    /// The service root path (no host, no trailing slash).
    pub fn root_path(&self) -> String {
        match self.standard {
            Standard::GpConnect => format!("/{}/STU3/1/gpconnect", self.ods),
            Standard::UecBooking => format!("/uec/{}/STU3/1/booking", self.id),
            Standard::Bars => format!("/bars/{}/FHIR/R4", self.id),
        }
    }

    pub fn schedule(&self, id: &str) -> Option<&ScheduleDef> {
        self.schedules.iter().find(|s| s.id == id)
    }

    pub fn practitioner(&self, id: &str) -> Option<&PractitionerDef> {
        self.schedules
            .iter()
            .map(|s| &s.practitioner)
            .find(|p| p.id == id)
    }

    /// The logical id of a demo patient at this (GP Connect) service.
    pub fn patient_id(&self, index: usize) -> String {
        (self.patient_id_base as usize + index + 1).to_string()
    }

    /// The demo patient index behind a logical id at this service.
    pub fn patient_index(&self, logical_id: &str, patient_count: usize) -> Option<usize> {
        let n: usize = logical_id.parse().ok()?;
        if logical_id.starts_with('0') {
            return None;
        }
        let idx = n.checked_sub(self.patient_id_base as usize + 1)?;
        (idx < patient_count).then_some(idx)
    }
}

pub struct Region {
    pub services: Vec<Service>,
    pub patients: Vec<DemoPatient>,
}

impl Region {
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    pub fn gp_service_by_ods(&self, ods: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.standard == Standard::GpConnect && s.ods == ods)
    }

    pub fn uec_service(&self, id: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.standard == Standard::UecBooking && s.id == id)
    }

    pub fn bars_service(&self, id: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.standard == Standard::Bars && s.id == id)
    }

    /// The BaRS service a DoS id names, as the platform's endpoint catalogue would find it.
    pub fn bars_service_by_dos(&self, dos_id: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.standard == Standard::Bars && s.dos_service_id == Some(dos_id))
    }

    pub fn has_bars(&self) -> bool {
        self.services.iter().any(|s| s.standard == Standard::Bars)
    }

    pub fn patient_by_nhs(&self, nhs: &str) -> Option<usize> {
        self.patients.iter().position(|p| p.nhs_number == nhs)
    }
}

fn pr(
    id: &'static str,
    prefix: &'static str,
    given: &'static str,
    family: &'static str,
    gender: &'static str,
    sds_user_id: &'static str,
) -> PractitionerDef {
    PractitionerDef {
        id,
        family,
        given,
        prefix,
        gender,
        sds_user_id,
    }
}

const GP_GENERAL: &[SlotKind] = &[
    kind("General GP Appointment", "In-person"),
    kind("General GP Appointment", "In-person"),
    kind("Telephone consultation", "Telephone"),
];
const GP_WITH_VIDEO: &[SlotKind] = &[
    kind("General GP Appointment", "In-person"),
    kind("Video consultation", "Video"),
    kind("Telephone consultation", "Telephone"),
];
const GP_PHONE_FIRST: &[SlotKind] = &[
    kind("Telephone consultation", "Telephone"),
    kind("Telephone consultation", "Telephone"),
    kind("General GP Appointment", "In-person"),
];
const NURSE_MINOR_ILLNESS: &[SlotKind] = &[kind("Minor illness", "In-person")];
const PARAMEDIC_SAME_DAY: &[SlotKind] = &[
    kind("Urgent same-day appointment", "In-person"),
    kind("Urgent same-day appointment", "Telephone"),
];
const OOH_GP: &[SlotKind] = &[
    kind("Telephone consultation", "Telephone"),
    kind("Telephone consultation", "Telephone"),
    kind("Telephone consultation", "Telephone"),
    kind("Face to face at base", "In-person"),
];
const OOH_NURSE: &[SlotKind] = &[
    kind("Telephone consultation", "Telephone"),
    kind("Video consultation", "Video"),
];
const UTC_ILLNESS: &[SlotKind] = &[
    kind("Minor illness", "In-person"),
    kind("Minor illness", "In-person"),
    kind("Clinician call back", "Telephone"),
];
const UTC_INJURY: &[SlotKind] = &[kind("Minor injury", "In-person")];
const ED_MAJORS: &[SlotKind] = &[kind("Emergency department arrival", "In-person")];
const ED_MINORS_KINDS: &[SlotKind] = &[kind("Minor injury", "In-person")];

fn gp_practices() -> Vec<Service> {
    vec![
        Service {
            id: "beckside-medical-practice",
            name: "Beckside Medical Practice",
            kind: Kind::GpPractice,
            standard: Standard::GpConnect,
            ods: "B86001",
            asid: "918999198101",
            phone: "0113 496 0101",
            organization_id: "11",
            address: Address {
                lines: &["12 Beckside Road", "Kirkstall"],
                city: "Leeds",
                district: "West Yorkshire",
                postcode: "LS5 3BQ",
            },
            location: LocationDef {
                id: "21",
                name: "Beckside Medical Practice",
                address: Address {
                    lines: &["12 Beckside Road", "Kirkstall"],
                    city: "Leeds",
                    district: "West Yorkshire",
                    postcode: "LS5 3BQ",
                },
            },
            healthcare_service: None,
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 100,
            schedules: vec![
                ScheduleDef {
                    id: "1",
                    practitioner: pr("31", "Dr", "Priya", "Shah", "female", "555100000101"),
                    role_id: "",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_DAY),
                    kinds: GP_GENERAL,
                },
                ScheduleDef {
                    id: "2",
                    practitioner: pr("32", "Dr", "Tom", "Walsh", "male", "555100000102"),
                    role_id: "",
                    job_role: SALARIED_GP,
                    category: "General GP Appointments",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_AFTERNOON),
                    kinds: GP_WITH_VIDEO,
                },
                ScheduleDef {
                    id: "3",
                    practitioner: pr("33", "Ms", "Hannah", "Briggs", "female", "555100000103"),
                    role_id: "",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "Nurse Practitioner Clinic",
                    slot_minutes: 15,
                    hours: Hours::Weekdays(GP_MORNING),
                    kinds: NURSE_MINOR_ILLNESS,
                },
            ],
        },
        Service {
            id: "chapel-lane-surgery",
            name: "Chapel Lane Surgery",
            kind: Kind::GpPractice,
            standard: Standard::GpConnect,
            ods: "B86002",
            asid: "918999198102",
            phone: "0113 496 0202",
            organization_id: "12",
            address: Address {
                lines: &["3 Chapel Lane", "Headingley"],
                city: "Leeds",
                district: "West Yorkshire",
                postcode: "LS6 3BW",
            },
            location: LocationDef {
                id: "22",
                name: "Chapel Lane Surgery",
                address: Address {
                    lines: &["3 Chapel Lane", "Headingley"],
                    city: "Leeds",
                    district: "West Yorkshire",
                    postcode: "LS6 3BW",
                },
            },
            healthcare_service: None,
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 200,
            schedules: vec![
                ScheduleDef {
                    id: "4",
                    practitioner: pr("34", "Dr", "Oliver", "Grant", "male", "555100000201"),
                    role_id: "",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 15,
                    hours: Hours::Weekdays(GP_DAY),
                    kinds: GP_GENERAL,
                },
                ScheduleDef {
                    id: "5",
                    practitioner: pr("35", "Dr", "Aisha", "Rahman", "female", "555100000202"),
                    role_id: "",
                    job_role: LOCUM_GP,
                    category: "Same Day Telephone Triage",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_MORNING),
                    kinds: GP_PHONE_FIRST,
                },
            ],
        },
        Service {
            id: "holmfield-health-centre",
            name: "Holmfield Health Centre",
            kind: Kind::GpPractice,
            standard: Standard::GpConnect,
            ods: "B87003",
            asid: "918999198103",
            phone: "0113 496 0303",
            organization_id: "13",
            address: Address {
                lines: &["Holmfield Road", "Outwood"],
                city: "Wakefield",
                district: "West Yorkshire",
                postcode: "WF1 3JS",
            },
            location: LocationDef {
                id: "23",
                name: "Holmfield Health Centre",
                address: Address {
                    lines: &["Holmfield Road", "Outwood"],
                    city: "Wakefield",
                    district: "West Yorkshire",
                    postcode: "WF1 3JS",
                },
            },
            healthcare_service: None,
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 300,
            schedules: vec![
                ScheduleDef {
                    id: "6",
                    practitioner: pr("36", "Dr", "Sarah", "Okafor", "female", "555100000301"),
                    role_id: "",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 15,
                    hours: Hours::Weekdays(GP_DAY),
                    kinds: GP_WITH_VIDEO,
                },
                ScheduleDef {
                    id: "7",
                    practitioner: pr("37", "Mr", "Liam", "Doyle", "male", "555100000302"),
                    role_id: "",
                    job_role: PARAMEDIC,
                    category: "Urgent Same Day Appointments",
                    slot_minutes: 15,
                    hours: Hours::Weekdays(GP_AFTERNOON),
                    kinds: PARAMEDIC_SAME_DAY,
                },
            ],
        },
        Service {
            id: "riverside-family-practice",
            name: "Riverside Family Practice",
            kind: Kind::GpPractice,
            standard: Standard::GpConnect,
            ods: "B85004",
            asid: "918999198104",
            phone: "0113 496 0404",
            organization_id: "14",
            address: Address {
                lines: &["40 Riverside Walk", "Aspley"],
                city: "Huddersfield",
                district: "West Yorkshire",
                postcode: "HD1 6RX",
            },
            location: LocationDef {
                id: "24",
                name: "Riverside Family Practice",
                address: Address {
                    lines: &["40 Riverside Walk", "Aspley"],
                    city: "Huddersfield",
                    district: "West Yorkshire",
                    postcode: "HD1 6RX",
                },
            },
            healthcare_service: None,
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 400,
            schedules: vec![
                ScheduleDef {
                    id: "8",
                    practitioner: pr("38", "Dr", "Emma", "Clarke", "female", "555100000401"),
                    role_id: "",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_MORNING),
                    kinds: GP_WITH_VIDEO,
                },
                ScheduleDef {
                    id: "9",
                    practitioner: pr("39", "Dr", "Daniel", "Mensah", "male", "555100000402"),
                    role_id: "",
                    job_role: SALARIED_GP,
                    category: "General GP Appointments",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_AFTERNOON),
                    kinds: GP_GENERAL,
                },
            ],
        },
    ]
}

fn out_of_hours() -> Service {
    Service {
        id: "west-yorkshire-gp-out-of-hours",
        name: "West Yorkshire GP Out of Hours",
        kind: Kind::GpOutOfHours,
        standard: Standard::GpConnect,
        ods: "NXY10",
        asid: "918999198105",
        phone: "0113 496 0505",
        organization_id: "15",
        address: Address {
            lines: &["Wharfedale Primary Care Centre", "5 Ribbon Way"],
            city: "Leeds",
            district: "West Yorkshire",
            postcode: "LS12 4QT",
        },
        location: LocationDef {
            id: "25",
            name: "Wharfedale Primary Care Centre (out-of-hours base)",
            address: Address {
                lines: &["Wharfedale Primary Care Centre", "5 Ribbon Way"],
                city: "Leeds",
                district: "West Yorkshire",
                postcode: "LS12 4QT",
            },
        },
        healthcare_service: None,
        dos_service_id: None,
        sends_delivery_channel: true,
        slot_taken: SlotTakenAnswer::Conflict409,
        patient_id_base: 500,
        schedules: vec![
            ScheduleDef {
                id: "10",
                practitioner: pr("40", "Dr", "Rachel", "Moore", "female", "555100000501"),
                role_id: "",
                job_role: GENERAL_MEDICAL_PRACTITIONER,
                category: "GP Out of Hours",
                slot_minutes: 20,
                hours: Hours::EveningsAndWeekends,
                kinds: OOH_GP,
            },
            ScheduleDef {
                id: "11",
                practitioner: pr("41", "Mr", "Ben", "Harrison", "male", "555100000502"),
                role_id: "",
                job_role: SPECIALIST_NURSE_PRACTITIONER,
                category: "GP Out of Hours",
                slot_minutes: 20,
                hours: Hours::EveningsAndWeekends,
                kinds: OOH_NURSE,
            },
        ],
    }
}

fn urgent_and_emergency() -> Vec<Service> {
    vec![
        Service {
            id: "calder-valley-utc",
            name: "Calder Valley Urgent Treatment Centre",
            kind: Kind::UrgentCare,
            standard: Standard::UecBooking,
            ods: "NQ501",
            asid: "918999198201",
            phone: "0113 496 0601",
            organization_id: "calder-valley-org",
            address: Address {
                lines: &["Calder Valley Health Park", "Salterhebble Hill"],
                city: "Halifax",
                district: "West Yorkshire",
                postcode: "HX3 0PW",
            },
            location: LocationDef {
                id: "calder-valley-utc-site",
                name: "Calder Valley Urgent Treatment Centre",
                address: Address {
                    lines: &["Calder Valley Health Park", "Salterhebble Hill"],
                    city: "Halifax",
                    district: "West Yorkshire",
                    postcode: "HX3 0PW",
                },
            },
            healthcare_service: Some("2000100101"),
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "cvu-anp",
                    practitioner: pr(
                        "cvu-p-1",
                        "Ms",
                        "Grace",
                        "Whitaker",
                        "female",
                        "555100000601",
                    ),
                    role_id: "cvu-r-1",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_ILLNESS,
                },
                ScheduleDef {
                    id: "cvu-paramedic",
                    practitioner: pr("cvu-p-2", "Mr", "Sam", "Kaur", "male", "555100000602"),
                    role_id: "cvu-r-2",
                    job_role: PARAMEDIC,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_INJURY,
                },
            ],
        },
        Service {
            id: "airedale-park-utc",
            name: "Airedale Park Urgent Treatment Centre",
            kind: Kind::UrgentCare,
            standard: Standard::UecBooking,
            ods: "NQ502",
            asid: "918999198202",
            phone: "0113 496 0702",
            organization_id: "airedale-park-org",
            address: Address {
                lines: &["Airedale Park", "Skipton Road"],
                city: "Keighley",
                district: "West Yorkshire",
                postcode: "BD21 2TQ",
            },
            location: LocationDef {
                id: "airedale-park-utc-site",
                name: "Airedale Park Urgent Treatment Centre",
                address: Address {
                    lines: &["Airedale Park", "Skipton Road"],
                    city: "Keighley",
                    district: "West Yorkshire",
                    postcode: "BD21 2TQ",
                },
            },
            healthcare_service: Some("2000100202"),
            dos_service_id: None,
            // Real providers vary: this one never states a delivery channel on its slots.
            sends_delivery_channel: false,
            slot_taken: SlotTakenAnswer::BusinessRule422,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "apu-gp",
                    practitioner: pr(
                        "apu-p-1",
                        "Dr",
                        "Michael",
                        "Brennan",
                        "male",
                        "555100000701",
                    ),
                    role_id: "apu-r-1",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_ILLNESS,
                },
                ScheduleDef {
                    id: "apu-nurse",
                    practitioner: pr(
                        "apu-p-2",
                        "Mrs",
                        "Julie",
                        "Pickles",
                        "female",
                        "555100000702",
                    ),
                    role_id: "apu-r-2",
                    job_role: STAFF_NURSE,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_INJURY,
                },
            ],
        },
        Service {
            id: "leeds-east-ed",
            name: "Leeds East Hospital Emergency Department",
            kind: Kind::EmergencyDepartment,
            standard: Standard::UecBooking,
            ods: "RZZ01",
            asid: "918999198203",
            phone: "0113 496 0803",
            organization_id: "leeds-east-org",
            address: Address {
                lines: &["Leeds East Hospital", "York Road"],
                city: "Leeds",
                district: "West Yorkshire",
                postcode: "LS14 6UH",
            },
            location: LocationDef {
                id: "leeds-east-ed-site",
                name: "Leeds East Hospital Emergency Department",
                address: Address {
                    lines: &["Leeds East Hospital", "York Road"],
                    city: "Leeds",
                    district: "West Yorkshire",
                    postcode: "LS14 6UH",
                },
            },
            healthcare_service: Some("2000100303"),
            dos_service_id: None,
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::BusinessRule422,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "led-majors",
                    practitioner: pr(
                        "led-p-1",
                        "Dr",
                        "Fiona",
                        "Lindqvist",
                        "female",
                        "555100000801",
                    ),
                    role_id: "led-r-1",
                    job_role: CONSULTANT,
                    category: "Emergency department",
                    slot_minutes: 30,
                    hours: Hours::Daily(ED_ALL_DAY),
                    kinds: ED_MAJORS,
                },
                ScheduleDef {
                    id: "led-minors",
                    practitioner: pr("led-p-2", "Mr", "Kwame", "Asante", "male", "555100000802"),
                    role_id: "led-r-2",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "Emergency department",
                    slot_minutes: 30,
                    hours: Hours::Daily(ED_MINORS),
                    kinds: ED_MINORS_KINDS,
                },
            ],
        },
    ]
}

/// Services that take bookings over BaRS. Their ids, ODS codes, ASIDs and DoS ids are distinct
/// from every GP Connect and UEC service so a directory can hold them all side by side.
fn bars_services() -> Vec<Service> {
    vec![
        Service {
            id: "ravensknowle-medical-centre",
            name: "Ravensknowle Medical Centre",
            kind: Kind::GpPractice,
            standard: Standard::Bars,
            ods: "B85041",
            asid: "918999198301",
            phone: "0113 496 0911",
            organization_id: "ravensknowle-org",
            address: Address {
                lines: &["40 Wakefield Road", "Moldgreen"],
                city: "Huddersfield",
                district: "West Yorkshire",
                postcode: "HD5 9AB",
            },
            location: LocationDef {
                id: "ravensknowle-site",
                name: "Ravensknowle Medical Centre",
                address: Address {
                    lines: &["40 Wakefield Road", "Moldgreen"],
                    city: "Huddersfield",
                    district: "West Yorkshire",
                    postcode: "HD5 9AB",
                },
            },
            healthcare_service: None,
            dos_service_id: Some("2000100404"),
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "rmc-gp",
                    practitioner: pr("rmc-p-1", "Dr", "Imran", "Qureshi", "male", "555100000901"),
                    role_id: "rmc-r-1",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 10,
                    hours: Hours::Weekdays(GP_DAY),
                    kinds: GP_WITH_VIDEO,
                },
                ScheduleDef {
                    id: "rmc-nurse",
                    practitioner: pr(
                        "rmc-p-2",
                        "Mrs",
                        "Lesley",
                        "Haigh",
                        "female",
                        "555100000902",
                    ),
                    role_id: "rmc-r-2",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "Nurse Practitioner Clinic",
                    slot_minutes: 15,
                    hours: Hours::Weekdays(GP_MORNING),
                    kinds: NURSE_MINOR_ILLNESS,
                },
            ],
        },
        Service {
            id: "spen-valley-utc",
            name: "Spen Valley Urgent Treatment Centre",
            kind: Kind::UrgentCare,
            standard: Standard::Bars,
            ods: "NQ503",
            asid: "918999198302",
            phone: "0113 496 0922",
            organization_id: "spen-valley-org",
            address: Address {
                lines: &["Spen Valley Health Park", "Bradford Road"],
                city: "Cleckheaton",
                district: "West Yorkshire",
                postcode: "BD19 3TQ",
            },
            location: LocationDef {
                id: "spen-valley-utc-site",
                name: "Spen Valley Urgent Treatment Centre",
                address: Address {
                    lines: &["Spen Valley Health Park", "Bradford Road"],
                    city: "Cleckheaton",
                    district: "West Yorkshire",
                    postcode: "BD19 3TQ",
                },
            },
            healthcare_service: None,
            dos_service_id: Some("2000100505"),
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "svu-anp",
                    practitioner: pr("svu-p-1", "Mr", "Daniel", "Firth", "male", "555100000911"),
                    role_id: "svu-r-1",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_ILLNESS,
                },
                ScheduleDef {
                    id: "svu-paramedic",
                    practitioner: pr(
                        "svu-p-2",
                        "Ms",
                        "Nadia",
                        "Hussain",
                        "female",
                        "555100000912",
                    ),
                    role_id: "svu-r-2",
                    job_role: PARAMEDIC,
                    category: "Urgent care",
                    slot_minutes: 15,
                    hours: Hours::Daily(UTC_DAY),
                    kinds: UTC_INJURY,
                },
            ],
        },
        Service {
            id: "kirkgate-infirmary-ed",
            name: "Kirkgate Infirmary Emergency Department",
            kind: Kind::EmergencyDepartment,
            standard: Standard::Bars,
            ods: "RZZ02",
            asid: "918999198303",
            phone: "0113 496 0933",
            organization_id: "kirkgate-infirmary-org",
            address: Address {
                lines: &["Kirkgate Infirmary", "Aberford Road"],
                city: "Wakefield",
                district: "West Yorkshire",
                postcode: "WF1 4DG",
            },
            location: LocationDef {
                id: "kirkgate-infirmary-ed-site",
                name: "Kirkgate Infirmary Emergency Department",
                address: Address {
                    lines: &["Kirkgate Infirmary", "Aberford Road"],
                    city: "Wakefield",
                    district: "West Yorkshire",
                    postcode: "WF1 4DG",
                },
            },
            healthcare_service: None,
            dos_service_id: Some("2000100606"),
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "kie-majors",
                    practitioner: pr(
                        "kie-p-1",
                        "Dr",
                        "Eleanor",
                        "Sykes",
                        "female",
                        "555100000921",
                    ),
                    role_id: "kie-r-1",
                    job_role: CONSULTANT,
                    category: "Emergency department",
                    slot_minutes: 30,
                    hours: Hours::Daily(ED_ALL_DAY),
                    kinds: ED_MAJORS,
                },
                ScheduleDef {
                    id: "kie-minors",
                    practitioner: pr(
                        "kie-p-2",
                        "Mr",
                        "Tomasz",
                        "Zielinski",
                        "male",
                        "555100000922",
                    ),
                    role_id: "kie-r-2",
                    job_role: STAFF_NURSE,
                    category: "Emergency department",
                    slot_minutes: 30,
                    hours: Hours::Daily(ED_MINORS),
                    kinds: ED_MINORS_KINDS,
                },
            ],
        },
        Service {
            id: "pennine-edge-gp-out-of-hours",
            name: "Pennine Edge GP Out of Hours",
            kind: Kind::GpOutOfHours,
            standard: Standard::Bars,
            ods: "NXY11",
            asid: "918999198304",
            phone: "0113 496 0944",
            organization_id: "pennine-edge-org",
            address: Address {
                lines: &["Marsden Road Primary Care Centre", "12 Marsden Road"],
                city: "Huddersfield",
                district: "West Yorkshire",
                postcode: "HD3 3NE",
            },
            location: LocationDef {
                id: "pennine-edge-base",
                name: "Marsden Road Primary Care Centre (out-of-hours base)",
                address: Address {
                    lines: &["Marsden Road Primary Care Centre", "12 Marsden Road"],
                    city: "Huddersfield",
                    district: "West Yorkshire",
                    postcode: "HD3 3NE",
                },
            },
            healthcare_service: None,
            dos_service_id: Some("2000100707"),
            sends_delivery_channel: true,
            slot_taken: SlotTakenAnswer::Conflict409,
            patient_id_base: 0,
            schedules: vec![
                ScheduleDef {
                    id: "peo-gp",
                    practitioner: pr(
                        "peo-p-1",
                        "Dr",
                        "Catherine",
                        "Ackroyd",
                        "female",
                        "555100000931",
                    ),
                    role_id: "peo-r-1",
                    job_role: LOCUM_GP,
                    category: "GP Out of Hours",
                    slot_minutes: 20,
                    hours: Hours::EveningsAndWeekends,
                    kinds: OOH_GP,
                },
                ScheduleDef {
                    id: "peo-nurse",
                    practitioner: pr("peo-p-2", "Mr", "Owen", "Lister", "male", "555100000932"),
                    role_id: "peo-r-2",
                    job_role: SPECIALIST_NURSE_PRACTITIONER,
                    category: "GP Out of Hours",
                    slot_minutes: 20,
                    hours: Hours::EveningsAndWeekends,
                    kinds: OOH_NURSE,
                },
            ],
        },
    ]
}

#[allow(clippy::too_many_arguments)]
fn patient(
    nhs_number: &str,
    family: &str,
    given: &str,
    prefix: &str,
    gender: &str,
    birth_date: &str,
    address_lines: &[&str],
    city: &str,
    postcode: &str,
    phone: &str,
    registered_ods: &str,
) -> DemoPatient {
    DemoPatient {
        nhs_number: nhs_number.to_string(),
        family: family.to_string(),
        given: given.to_string(),
        prefix: prefix.to_string(),
        gender: gender.to_string(),
        birth_date: birth_date.to_string(),
        address_lines: address_lines.iter().map(|s| s.to_string()).collect(),
        city: city.to_string(),
        postcode: postcode.to_string(),
        phone: phone.to_string(),
        registered_ods: registered_ods.to_string(),
    }
}

/// The demo patients. Each is registered at one of the region's GP practices (`registered_ods`,
/// which PDS gives as `generalPractitioner`); Zofia NOWAK's practice is the BaRS one.
pub fn patients() -> Vec<DemoPatient> {
    vec![
        patient(
            "9434765919",
            "JACKSON",
            "Jane",
            "Miss",
            "female",
            "1982-03-12",
            &["24 High Street"],
            "Leeds",
            "LS1 4AP",
            "07700 900123",
            "B86001",
        ),
        patient(
            "9476719931",
            "OKONJO",
            "David",
            "Mr",
            "male",
            "1968-11-02",
            &["3 Mill Lane"],
            "Wakefield",
            "WF1 2AB",
            "07700 900456",
            "B87003",
        ),
        patient(
            "9434765269",
            "PATEL",
            "Amir",
            "Mr",
            "male",
            "1990-07-21",
            &["Flat 4", "17 Cardigan Road"],
            "Leeds",
            "LS6 1LJ",
            "07700 900789",
            "B86002",
        ),
        patient(
            "9434760186",
            "HUGHES",
            "Margaret",
            "Mrs",
            "female",
            "1941-01-30",
            &["8 Church Street"],
            "Halifax",
            "HX1 1QX",
            "07700 900111",
            "B85004",
        ),
        patient(
            "9476711590",
            "NOWAK",
            "Zofia",
            "Ms",
            "female",
            "2001-09-05",
            &["52 Queens Road"],
            "Huddersfield",
            "HD2 2AG",
            "07700 900321",
            "B85041",
        ),
        patient(
            "9434760836",
            "WRIGHT",
            "Oliver",
            "Master",
            "male",
            "2017-04-14",
            &["11 Moor View"],
            "Keighley",
            "BD21 2LS",
            "07700 900654",
            "B86001",
        ),
        patient(
            "9434766133",
            "BIBI",
            "Nasreen",
            "Mrs",
            "female",
            "1975-12-02",
            &["30 Manningham Lane"],
            "Bradford",
            "BD8 7BN",
            "07700 900987",
            "B86002",
        ),
    ]
}

/// PDS's special cases (see [`crate::PdsCases`]); none of these numbers is a demo patient's.
pub mod pds_numbers {
    /// A restricted (sensitive) patient, held only by PDS.
    pub const RESTRICTED: &str = "9449304025";
    /// An NHS number superseded by [`SUPERSEDED_BY`]: the two records were merged.
    pub const SUPERSEDED: &str = "9449304033";
    /// David OKONJO's number, which PDS answers for [`SUPERSEDED`].
    pub const SUPERSEDED_BY: &str = "9476719931";
    /// A patient who has died, held only by PDS.
    pub const DECEASED: &str = "9449304041";
    /// A record PDS has invalidated without a successor.
    pub const INVALIDATED: &str = "9449304068";
    /// A valid NHS number PDS holds nothing for.
    pub const ABSENT: &str = "9449304076";
    /// Jane JACKSON's twin brother, held only by PDS: a search by family name and date of
    /// birth alone finds both twins (too many matches for one result); adding gender tells
    /// them apart.
    pub const TWIN: &str = "9449304084";
}

/// A person PDS holds who is not a demo patient (no booking service knows them).
pub struct PdsOnlyPatient {
    pub patient: DemoPatient,
    /// `meta.security` R: PDS leaves out where they live, how to reach them and their GP.
    pub restricted: bool,
    /// `deceasedDateTime`, when they have died.
    pub deceased: Option<&'static str>,
    /// The record's version (`meta.versionId`, the ETag).
    pub version: u32,
}

/// The people only PDS holds: one restricted, one who has died, and Jane JACKSON's twin.
pub fn pds_only_patients() -> Vec<PdsOnlyPatient> {
    vec![
        PdsOnlyPatient {
            patient: patient(
                pds_numbers::RESTRICTED,
                "ASHWORTH",
                "Helen",
                "Ms",
                "female",
                "1988-06-17",
                &["9 Lister Lane"],
                "Halifax",
                "HX1 5AS",
                "07700 900555",
                "B85004",
            ),
            restricted: true,
            deceased: None,
            version: 3,
        },
        PdsOnlyPatient {
            patient: patient(
                pds_numbers::DECEASED,
                "BRADSHAW",
                "Walter",
                "Mr",
                "male",
                "1932-08-09",
                &["2 Station Road", "Ossett"],
                "Wakefield",
                "WF5 8AA",
                "07700 900412",
                "B87003",
            ),
            restricted: false,
            deceased: Some("2024-11-28T14:20:00+00:00"),
            version: 4,
        },
        PdsOnlyPatient {
            patient: patient(
                pds_numbers::TWIN,
                "JACKSON",
                "Thomas",
                "Mr",
                "male",
                "1982-03-12",
                &["7 Park Row"],
                "Leeds",
                "LS1 5HD",
                "07700 900124",
                "B86001",
            ),
            restricted: false,
            deceased: None,
            version: 1,
        },
    ]
}

pub fn region() -> Region {
    let mut services = gp_practices();
    services.push(out_of_hours());
    services.extend(urgent_and_emergency());
    // Last, so the first service of each kind is still a GP Connect or UEC one.
    services.extend(bars_services());
    Region {
        services,
        patients: patients(),
    }
}

/// The region with one more GP Connect practice, [`large_practice`].
pub fn region_with_large_practice() -> Region {
    let mut region = region();
    region.services.push(large_practice());
    region
}

/// The clinicians of the large practice: schedule id, practitioner id, name and SDS user id.
const LARGE_PRACTICE_CLINICIANS: [(&str, &str, &str, &str, &str, &str); 12] = [
    ("101", "601", "Dr", "Ruth", "Ainsworth", "555100001001"),
    ("102", "602", "Dr", "Mark", "Bell", "555100001002"),
    ("103", "603", "Dr", "Nadia", "Choudhry", "555100001003"),
    ("104", "604", "Dr", "Peter", "Dunn", "555100001004"),
    ("105", "605", "Dr", "Grace", "Eze", "555100001005"),
    ("106", "606", "Dr", "Karl", "Fenwick", "555100001006"),
    ("107", "607", "Dr", "Leila", "Gill", "555100001007"),
    ("108", "608", "Dr", "Owen", "Hartley", "555100001008"),
    ("109", "609", "Dr", "Mei", "Ishida", "555100001009"),
    ("110", "610", "Dr", "Samuel", "Jowett", "555100001010"),
    ("111", "611", "Dr", "Tara", "Kelly", "555100001011"),
    ("112", "612", "Dr", "Victor", "Lund", "555100001012"),
];

/// A practice the size of a large town's: twelve GPs each offering five-minute slots all day,
/// so that a fortnight's search answers with about 5,000 free slots. Served only when asked for
/// (`provider-sim --large-practice`), for measuring the desk against a large answer.
fn large_practice() -> Service {
    let address = Address {
        lines: &["1 Moor Road", "Hunslet"],
        city: "Leeds",
        district: "West Yorkshire",
        postcode: "LS10 2AB",
    };
    Service {
        id: "moor-road-health-centre",
        name: "Moor Road Health Centre",
        kind: Kind::GpPractice,
        standard: Standard::GpConnect,
        ods: "B86009",
        asid: "918999198109",
        phone: "0113 496 0909",
        organization_id: "19",
        address: address.clone(),
        location: LocationDef {
            id: "29",
            name: "Moor Road Health Centre",
            address,
        },
        healthcare_service: None,
        dos_service_id: None,
        sends_delivery_channel: true,
        slot_taken: SlotTakenAnswer::Conflict409,
        patient_id_base: 900,
        schedules: LARGE_PRACTICE_CLINICIANS
            .iter()
            .map(
                |&(id, practitioner, prefix, given, family, sds)| ScheduleDef {
                    id,
                    practitioner: pr(practitioner, prefix, given, family, "unknown", sds),
                    role_id: "",
                    job_role: GENERAL_MEDICAL_PRACTITIONER,
                    category: "General GP Appointments",
                    slot_minutes: 5,
                    hours: Hours::Weekdays(GP_DAY),
                    kinds: GP_WITH_VIDEO,
                },
            )
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nhs_number;
    use std::collections::HashSet;

    #[test]
    fn every_demo_nhs_number_passes_modulus_11() {
        for p in patients() {
            assert!(nhs_number::is_valid(&p.nhs_number), "{}", p.nhs_number);
        }
    }

    #[test]
    fn pds_numbers_are_valid_and_apart_from_the_demo_patients() {
        use pds_numbers::*;
        let demo: HashSet<String> = patients().into_iter().map(|p| p.nhs_number).collect();
        for n in [RESTRICTED, SUPERSEDED, DECEASED, INVALIDATED, ABSENT, TWIN] {
            assert!(nhs_number::is_valid(n), "{n}");
            assert!(!demo.contains(n), "{n}");
        }
        assert!(demo.contains(SUPERSEDED_BY));
        let r = region();
        for p in patients()
            .iter()
            .chain(pds_only_patients().iter().map(|o| &o.patient))
        {
            assert!(
                r.services
                    .iter()
                    .any(|s| s.kind == Kind::GpPractice && s.ods == p.registered_ods),
                "{} is registered at {}, not one of the region's practices",
                p.nhs_number,
                p.registered_ods
            );
        }
    }

    #[test]
    fn region_has_the_required_mix() {
        let r = region();
        let count = |k: Kind| r.services.iter().filter(|s| s.kind == k).count();
        assert!(count(Kind::GpPractice) >= 4);
        assert!(count(Kind::GpOutOfHours) >= 1);
        assert!(count(Kind::UrgentCare) >= 2);
        assert!(count(Kind::EmergencyDepartment) >= 1);
        assert_eq!(
            r.services
                .iter()
                .filter(|s| !s.sends_delivery_channel)
                .count(),
            1
        );
        let channels: HashSet<&str> = r
            .services
            .iter()
            .flat_map(|s| s.schedules.iter())
            .flat_map(|s| s.kinds.iter().map(|k| k.channel))
            .collect();
        for c in ["In-person", "Telephone", "Video"] {
            assert!(channels.contains(c), "{c}");
        }
    }

    #[test]
    fn ids_are_unique() {
        ids_are_unique_in(&region());
        ids_are_unique_in(&region_with_large_practice());
    }

    fn ids_are_unique_in(r: &Region) {
        let ids: HashSet<&str> = r.services.iter().map(|s| s.id).collect();
        assert_eq!(ids.len(), r.services.len());
        let asids: HashSet<&str> = r.services.iter().map(|s| s.asid).collect();
        assert_eq!(asids.len(), r.services.len());
        let schedules: Vec<&str> = r
            .services
            .iter()
            .flat_map(|s| s.schedules.iter().map(|x| x.id))
            .collect();
        let unique: HashSet<&&str> = schedules.iter().collect();
        assert_eq!(unique.len(), schedules.len());
        for s in &r.services {
            assert_eq!(s.asid.len(), 12);
            assert!(s.asid.chars().all(|c| c.is_ascii_digit()));
            if s.standard == Standard::GpConnect {
                for sch in &s.schedules {
                    assert!(sch.id.chars().all(|c| c.is_ascii_digit()));
                }
            }
        }
    }

    #[test]
    fn bars_services_cover_every_kind_with_their_own_dos_ids() {
        let r = region();
        let bars: Vec<&Service> = r
            .services
            .iter()
            .filter(|s| s.standard == Standard::Bars)
            .collect();
        for k in [
            Kind::GpPractice,
            Kind::UrgentCare,
            Kind::EmergencyDepartment,
            Kind::GpOutOfHours,
        ] {
            assert!(bars.iter().any(|s| s.kind == k), "{}", k.as_str());
        }
        for s in &r.services {
            assert_eq!(s.dos_service_id.is_some(), s.standard == Standard::Bars);
            if let Some(dos) = s.dos_service_id {
                assert!(dos.len() == 10 && dos.chars().all(|c| c.is_ascii_digit()));
                assert_eq!(r.bars_service_by_dos(dos).map(|x| x.id), Some(s.id));
                assert_eq!(r.bars_service(s.id).map(|x| x.id), Some(s.id));
            }
        }
        let unique = |f: fn(&Service) -> &str| {
            r.services.iter().map(f).collect::<HashSet<_>>().len() == r.services.len()
        };
        assert!(unique(|s| s.ods));
        assert!(unique(|s| s.name));
        // GP Connect and UEC services come first, so "the first of a kind" stays what it was.
        let first_bars = r
            .services
            .iter()
            .position(|s| s.standard == Standard::Bars)
            .unwrap_or(0);
        assert!(
            r.services[first_bars..]
                .iter()
                .all(|s| s.standard == Standard::Bars)
        );
    }

    #[test]
    fn patient_ids_round_trip() {
        let r = region();
        for s in r
            .services
            .iter()
            .filter(|s| s.standard == Standard::GpConnect)
        {
            for i in 0..r.patients.len() {
                assert_eq!(s.patient_index(&s.patient_id(i), r.patients.len()), Some(i));
            }
            assert_eq!(s.patient_index("0101", r.patients.len()), None);
            assert_eq!(s.patient_index("x", r.patients.len()), None);
        }
    }
}
