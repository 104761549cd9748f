//! The signed-in call handler the tests that build requests and messages by hand act as.

use booking_engine::auth::{Organisation, Role, Session, SystemIdentity, User};
use booking_engine::ids::{Asid, OdsCode};

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
    )
    .expect("session")
}
