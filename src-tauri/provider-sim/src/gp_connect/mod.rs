//! GP Connect Appointment Management: one handler module per interaction family.

mod book;
pub mod enrich;
mod patient;
mod slot_search;
mod update;

use crate::capability;
use crate::handler::{Ctx, Reply, read_appointment};
use crate::outcome::FhirError;
use crate::routes::Op;

pub fn handle(ctx: &Ctx<'_>, op: &Op) -> Result<Reply, FhirError> {
    match op {
        Op::Metadata => Ok(Reply::ok(capability::statement(ctx.service))),
        Op::FindPatient => patient::find(ctx),
        Op::PatientAppointments(id) => patient::appointments(ctx, id),
        Op::SearchSlots => slot_search::search(ctx),
        Op::Book => book::book(ctx),
        Op::Read(id) => read_appointment(ctx, id),
        Op::Amend(id) => update::update(ctx, id, update::Change::Amend),
        Op::Cancel(id) => update::update(ctx, id, update::Change::Cancel),
    }
}
