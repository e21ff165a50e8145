"""Demo data for the registers of decisions D9 and D10:

- "Dân vận khéo" models for 2024 and 2025: per copy of the grassroots level, a dozen recognised models a year
  (mostly at grassroots level, a few at bloc level, one provincial), scored within the parameters' 75–100
  (domain.md §5.3: 64 models recognised in 2023, all 75–100), and two assessed but not recognised;
- e-handbook use (Sổ tay đảng viên điện tử): about 98 % of the full and probationary members, since the province's
  pilot of 2/2022 or their admission (domain.md §6: "> 98 % of members with accounts");
- QĐ 213 residence feedback on 2025 for about nine in ten of them, most "Tốt", a few "Chưa tốt".

Deterministic (generators named after the seed and a code or member key), written with bulk inserts and updates.
"""

import datetime
from decimal import Decimal

from cells.models import Organization
from demo.common import aware
from demo.context import EvaluationContext
from demo.grading import seeded_rng
from evaluations.mass_mobilisation.services import score_range
from evaluations.models import MassMobilisationModel
from members.models import Member, ResidenceFeedback
from members.residence.services import TAKING_PART

Level = MassMobilisationModel.Level
Field = MassMobilisationModel.Field

DVK_YEARS = (2024, 2025)
RECOGNISED_PER_YEAR = 12
NOT_RECOGNISED_PER_YEAR = 2
EHANDBOOK_PILOT = datetime.date(2022, 2, 15)  # Kế hoạch 61 (2/2022), the province's pilot
EHANDBOOK_SHARE = 0.98
FEEDBACK_YEAR = 2025
FEEDBACK_SHARE = 0.9
FEEDBACK_NOT_GOOD_SHARE = 0.04

MODEL_NAMES = {
    Field.ECONOMY: (
        "Dân vận khéo trong phát triển sản xuất, kinh doanh tại {unit}",
        "Đảng viên gương mẫu đi đầu trong tiết kiệm, chống lãng phí",
    ),
    Field.CULTURE_SOCIETY: (
        "Chung tay xây dựng cơ quan văn hóa, môi trường làm việc xanh – sạch – đẹp",
        "Đồng hành cùng học sinh nghèo vượt khó",
    ),
    Field.DEFENCE_SECURITY: ("Cơ quan an toàn về an ninh, trật tự, phòng cháy chữa cháy",),
    Field.POLITICAL_SYSTEM: (
        "Dân vận khéo trong cải cách thủ tục hành chính — “một cửa” thân thiện",
        "Lắng nghe, đối thoại với người lao động tại {unit}",
    ),
}
LEVELS = (Level.GRASSROOTS,) * 8 + (Level.BLOC,) * 3 + (Level.PROVINCE,)
DECISION = "{n}-QĐ/ĐUK"
FEEDBACK_GOOD = "Gương mẫu chấp hành chủ trương, chính sách, tích cực tham gia hoạt động nơi cư trú."
FEEDBACK_NOT_GOOD = "Ít tham gia sinh hoạt, hoạt động của tổ dân phố nơi cư trú."
RESIDENCE_ORGANISATIONS = (
    "Chi bộ tổ dân phố số {n}, phường Yên Thịnh",
    "Chi bộ tổ dân phố số {n}, phường Nguyễn Thái Học",
    "Chi bộ thôn {n}, xã Văn Phú",
)


def build_registers(ctx: EvaluationContext, staff) -> None:
    _build_models(ctx, staff)
    _build_ehandbook(ctx)
    _build_feedback(ctx, staff)


def _build_models(ctx: EvaluationContext, staff) -> None:
    grassroots = sorted(
        (o for o in ctx.organizations.values() if o.is_grassroots and o.kind != Organization.Kind.UPPER),
        key=lambda o: o.path,
    )
    if not grassroots:
        return
    rows = []
    for year in DVK_YEARS:
        limits = score_range(year)
        rng = seeded_rng(ctx.seed, "dan-van-kheo", year)
        hosts = rng.sample(grassroots, min(len(grassroots), RECOGNISED_PER_YEAR + NOT_RECOGNISED_PER_YEAR))
        for n, host in enumerate(hosts):
            field = rng.choice(list(MODEL_NAMES))
            name = rng.choice(MODEL_NAMES[field]).format(unit=host.host_unit_name or host.name)
            recognised = n < RECOGNISED_PER_YEAR
            if recognised:
                level = LEVELS[n % len(LEVELS)]
                score = Decimal(rng.randint(int(limits.low) * 2, int(limits.high) * 2)) / 2
            else:
                level, score = "", Decimal(rng.randint(110, int(limits.low) * 2 - 1)) / 2
            rows.append(
                MassMobilisationModel(
                    organization=host,
                    year=year,
                    name=name[:255],
                    field=field,
                    level=level,
                    score=score,
                    decision_no=DECISION.format(n=300 + 10 * (year - 2020) + n) if recognised else "",
                    parameters_snapshot=limits.snapshot(),
                    created_by=staff,
                    created_at=aware(datetime.date(year, 12, 5)),
                )
            )
    MassMobilisationModel.objects.bulk_create(rows, batch_size=1000)


def _taking_part(ctx: EvaluationContext) -> list:
    return [info for info in ctx.members.values() if info.status in TAKING_PART]


def _build_ehandbook(ctx: EvaluationContext) -> None:
    updates = []
    for info in _taking_part(ctx):
        rng = seeded_rng(ctx.seed, "ehandbook", info.pk)
        if rng.random() >= EHANDBOOK_SHARE:
            continue
        since = EHANDBOOK_PILOT + datetime.timedelta(days=rng.randint(0, 540))
        if info.admitted_on and info.admitted_on > since:
            since = info.admitted_on + datetime.timedelta(days=rng.randint(0, 20))
        if since > ctx.today:
            continue
        updates.append(Member(pk=info.pk, ehandbook_since=since))
    Member.objects.bulk_update(updates, ["ehandbook_since"], batch_size=2000)


def _build_feedback(ctx: EvaluationContext, staff) -> None:
    last_day = min(ctx.today, datetime.date(FEEDBACK_YEAR + 1, 1, 20))
    rows = []
    for info in _taking_part(ctx):
        if info.admitted_on and info.admitted_on.year > FEEDBACK_YEAR:
            continue
        rng = seeded_rng(ctx.seed, "residence", info.pk)
        if rng.random() >= FEEDBACK_SHARE:
            continue
        received_on = datetime.date(FEEDBACK_YEAR, 11, 25) + datetime.timedelta(days=rng.randint(0, 50))
        if received_on > last_day:
            continue
        good = rng.random() >= FEEDBACK_NOT_GOOD_SHARE
        rows.append(
            ResidenceFeedback(
                member_id=info.pk,
                year=FEEDBACK_YEAR,
                received_on=received_on,
                residence_organization=rng.choice(RESIDENCE_ORGANISATIONS).format(n=rng.randint(1, 25)),
                assessment=ResidenceFeedback.Assessment.GOOD if good else ResidenceFeedback.Assessment.FAIR,
                text=FEEDBACK_GOOD if good else FEEDBACK_NOT_GOOD,
                recorded_by=staff,
                recorded_at=aware(received_on, 15),
            )
        )
    ResidenceFeedback.objects.bulk_create(rows, batch_size=2000)
