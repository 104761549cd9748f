//! The signed-in call handler the tests that build requests and messages by hand act as.

use booking_engine::auth::{Organisation, Role, Session, SystemIdentity, User};
use booking_engine::ids::{Asid, NhsNumber, OdsCode};
use booking_engine::views::PatientView;

pub fn session() -> Session {
    Session::new(
        User {
            name: "Alex Taylor".into(),
            sds_user_id: "555021935107".into(),
            sds_role_profile_id: "UNK".into(),
            local_id: "alex.taylor".into(),
            role: Role::CallHandler,
        },
        Organisation {
            ods: OdsCode::parse("RYA").expect("ods"),
            name: "NHS 111 North West".into(),
            telecom: Some("0300 123 4567".into()),
            dos_service_id: Some("2000072489".into()),
        },
        SystemIdentity {
            asid: Asid::parse("200000000359").expect("asid"),
            endpoint: "https://desk.example/fhir".into(),
        },
        booking_engine::auth::Proof::Unproved,
    )
    .expect("session")
}

/// Jane Jackson, the demo's first patient, as the desk knows her.
#[allow(dead_code)] // not every test binary writes a patient
pub fn patient() -> PatientView {
    PatientView {
        id: None,
        nhs_number: Some(NhsNumber::parse("9434765919").expect("nhs")),
        family: "Jackson".into(),
        given: vec!["Jane".into()],
        prefix: Some("Miss".into()),
        gender: Some("female".into()),
        birth_date: chrono::NaiveDate::from_ymd_opt(1982, 3, 12),
        address_lines: vec!["24 High Street".into(), "Leeds".into()],
        postcode: Some("LS1 4AP".into()),
        phone: Some("07700 900123".into()),
    }
}
