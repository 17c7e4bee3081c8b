"""The project file, as pydantic models: one project across its whole lifecycle.

Amounts are in 万元. Field descriptions are Chinese because they reach department staff through the
published JSON Schema (editor hints) and through error messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from govsite.districts import DistrictKey
from govsite.layout import ID_PATTERN
from govsite.vocabulary import (
    AcceptanceLevel,
    AcceptanceResult,
    Category,
    ChangeContent,
    ConstructionMode,
    Domain,
    OwnFacility,
    ProjectType,
    ReviewOutcome,
    Stage,
    UnifiedBuild,
)

# Numbers are finite and written as numbers: "500" in quotes, .inf or 1e309 are refused (the loader
# refuses hex, sexagesimal and the like before they get here).
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Amount = Annotated[Number, Field(ge=0, description="金额（万元）")]
Text = Annotated[str, Field(min_length=1, max_length=2000)]

EARLIEST_DATE = dt.date(1990, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)


def _sane_date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            f"日期 {value.isoformat()} 不在合理范围内（{EARLIEST_DATE} 至 {LATEST_DATE}），请核对年份"
        )
    return value


# Every date of a project file: a real day in a range a record can have.
Day = Annotated[dt.date, AfterValidator(_sane_date)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Attributes(_Strict):
    """规则据以判断的项目属性。"""

    annual_key_work: bool = Field(False, description="是否为数字化转型年度重点工作")
    cross_department: bool = Field(False, description="是否跨层级、跨地域、跨系统、跨部门或跨业务")
    domains: list[Domain] = Field(
        default_factory=list, description="涉及的领域：政务服务、城市运行、重点领域"
    )
    designated_major: bool = Field(False, description="是否为其他需重点管理的项目（经指定）")
    in_major_list: bool = Field(False, description="是否已经评审纳入重大项目清单")
    unified_build: UnifiedBuild = Field(UnifiedBuild.NONE, description="统建类型")
    internet_facing: bool = Field(False, description="是否涉及互联网访问")
    classified: bool = Field(False, description="是否涉及国家秘密（涉密）")
    commercial_crypto: bool = Field(
        False,
        description="是否为按规定须使用商用密码保护的其他网络或系统（非涉密的新建、升级改造政务信息系统一律须同步密码应用，不必再填此项）",
    )
    mlps_level: int = Field(0, ge=0, le=5, description="网络安全等级保护（等保）级别，0 表示未定级")
    pure_product_purchase: bool = Field(False, description="是否为纯产品软件或硬件设备采购")
    unit_level: str = Field(
        "district", pattern="^(district|town)$", description="项目单位层级：district 区级，town 街镇"
    )
    involves_district_departments: list[str] = Field(
        default_factory=list, description="街镇项目涉及的区级部门"
    )
    own_facilities: list[OwnFacility] = Field(
        default_factory=list, description="拟自建的独立数据资源平台、云平台、业务专网或机房"
    )
    budget_unit_class: Literal["A", "B"] | None = Field(None, description="预算单位类别（青浦：A 类 / B 类）")
    system_level: Literal["big_system", "subsystem", "module"] | None = Field(
        None, description="系统层级：big_system 大系统级（含平台）/ subsystem 子系统级 / module 功能模块级"
    )
    parent_system: str | None = Field(None, description="所属大系统（或平台）名称")
    nature: Literal["infrastructure", "digital_base", "industry_platform", "business_application"] | None = (
        Field(None, description="建设性质：基础设施类 / 数字底座类 / 行业平台类 / 业务应用类")
    )
    required_by_leadership: bool = Field(False, description="是否为区委、区政府要求建设的项目")
    reform_field: (
        Literal[
            "party_government",
            "digital_government",
            "digital_economy",
            "digital_society",
            "digital_rule_of_law",
            "public_data_platform",
        ]
        | None
    ) = Field(None, description="数字化改革领域（拱墅）")
    in_it_plan: bool | None = Field(None, description="是否列入本单位已备案的信息化规划")
    xinchuang: bool | None = Field(None, description="是否按信创标准建设")
    national_crypto: bool | None = Field(None, description="是否按国密标准建设")
    information_publishing: bool = Field(False, description="是否为信息发布类项目（如微信公众号）")
    upstream_approval_ref: str | None = Field(None, description="上级部门已立项批复的文号")
    self_funded: bool = Field(False, description="是否为单位自筹资金项目")
    government_owned_code: bool = Field(True, description="源代码是否归政府所有")
    fixed_asset_investment: bool = Field(False, description="是否属于固定资产投资项目")
    fiscal_level: str = Field(
        "district",
        pattern="^(district|town|other)$",
        description="资金来源：district 区本级，town 镇级，other 其他",
    )


class Deployment(_Strict):
    """部署：政务云与政务外网。"""

    government_cloud: bool | None = Field(None, description="是否使用区政务云资源")
    cloud_exception: str | None = Field(None, description="不使用区政务云的依据（法规或政策文件）")
    government_extranet: bool | None = Field(None, description="是否依托区政务外网运行")


class Video(_Strict):
    log_retention_days: int | None = Field(None, ge=0, description="视频系统日志存储天数")
    connected_to_platform: bool | None = Field(None, description="视频数据是否复接至区一体化赋能平台")


class Iot(_Strict):
    unique_device_codes: bool | None = Field(None, description="感知终端是否按区规范唯一编码")
    device_catalogue: bool | None = Field(None, description="是否完成设备及数据编目")
    data_aggregated: bool | None = Field(None, description="数据是否归集至区一体化赋能平台")


class MultiYear(_Strict):
    years: int = Field(ge=2, le=10, description="分年实施的总年数")
    year_index: int = Field(ge=1, le=10, description="本次申报为第几年")

    @model_validator(mode="after")
    def _index_within(self) -> MultiYear:
        if self.year_index > self.years:
            raise ValueError(f"year_index（{self.year_index}）不能大于 years（{self.years}）")
        return self


class BudgetItem(_Strict):
    name: Text
    kind: str = Field(description="明细类别，例如 hardware、software_development、supervision")
    amount: Amount
    quantity: Number | None = Field(None, ge=0)
    person_months: Number | None = Field(None, ge=0, description="人月数")
    device_class: str | None = Field(None, description="设备类别（维护费率用）")
    unit_price: Number | None = Field(None, ge=0, description="单价（万元；人月单价即万元/人月）")
    base_amount: Amount | None = Field(
        None, description="计费基数（万元），如维护费对应的设备原值或原开发费用"
    )
    complexity: Literal["simple", "complex", "very_complex"] | None = Field(
        None, description="应用软件复杂程度：simple 简单 / complex 复杂 / very_complex 很复杂"
    )


class Budget(_Strict):
    total: Amount = Field(description="项目总投资（万元）")
    hardware: Amount | None = Field(
        None, description="硬件投资（万元，含安全设备、网络设备）；有预算明细时可不写，以明细为准"
    )
    software_development: Amount | None = Field(
        None, description="应用系统软件开发投资（万元）；有预算明细时可不写，以明细为准"
    )
    items: list[BudgetItem] = Field(default_factory=list, description="预算明细（可选）")


class StageRecord(_Strict):
    """到达一个阶段的记录。"""

    stage: Stage
    date: Day
    ref: str | None = Field(None, description="文号，例如 闵数批〔2026〕31号")
    outcome: ReviewOutcome | None = Field(None, description="评审结论")
    by: str | None = Field(None, description="作出决定的机构")
    note: str | None = Field(None, max_length=2000)


class Material(_Strict):
    kind: str = Field(
        pattern="^[a-z][a-z0-9_]*$",
        description="材料类别：通用类别见 vocabulary.MaterialKind，各区政策包可在 materials.yaml 中增加",
    )
    title: Text
    date: Day | None = None
    public: bool = Field(True, description="是否可以公开")
    sha256: str | None = Field(None, pattern="^[0-9a-f]{64}$", description="材料文件的 SHA-256 摘要")
    path: str | None = Field(None, description="材料在仓库中的相对路径（如有）")


class Change(_Strict):
    """项目变更（第二十五条）或项目库动态更新（第十七条）。"""

    date: Day
    summary: Text
    amount: Amount = Field(description="变更内容涉及的投资（万元）")
    content: ChangeContent = Field(ChangeContent.MIXED, description="调整方式：仅减少、仅新增或其他")
    goals_unchanged: bool = Field(True, description="建设目标是否不变")
    within_approved_investment: bool = Field(True, description="投资规模是否未超批复")
    approved_by: str | None = Field(None, description="核准机构")
    ref: str | None = Field(None, description="核准文号")
    approved_date: Day | None = None
    reported_to_data_bureau: Day | None = Field(None, description="向区数据局报备的日期")


class AcceptanceRecord(_Strict):
    level: AcceptanceLevel = AcceptanceLevel.SINGLE
    date: Day
    result: AcceptanceResult
    organiser: str | None = Field(None, description="组织验收的机构")
    ref: str | None = None
    reported_to_data_bureau: Day | None = Field(None, description="验收结果向区数据局报备的日期")


class Warranty(_Strict):
    product_software_years: Number | None = Field(None, ge=0, description="产品软件质保期（年）")
    hardware_years: Number | None = Field(None, ge=0, description="硬件设备质保期（年）")
    custom_software_free_om_years: Number | None = Field(
        None, ge=0, description="应用开发软件免费运维期（年）"
    )


class Operation(_Strict):
    """运维项目所维护的系统的情况（第三十八、三十九条）。"""

    system: str | None = Field(None, description="被运维系统的建设项目编号")
    first_time: bool = Field(True, description="是否首次申请运维费用")
    data_shared: bool | None = Field(None, description="是否按要求共享数据资源")
    on_government_cloud: bool | None = Field(None, description="是否部署在政务云")
    crypto_security_compliant: bool | None = Field(None, description="是否符合密码应用和网络安全要求")
    major_security_hazard: bool | None = Field(None, description="是否存在重大安全隐患")
    in_use: bool | None = Field(None, description="系统是否仍在使用")
    content_matches: bool | None = Field(None, description="运维内容与实际内容是否相符")
    approved_by_data_bureau: bool | None = Field(None, description="原系统是否经区数据局立项批复")
    acceptance_report_available: bool | None = Field(None, description="能否提供验收报告")
    performance_tracking_passed: bool | None = Field(None, description="绩效跟踪监测是否合格")
    previous_year_amount: Amount | None = Field(None, description="上一年度运维费用（万元）")


class Evaluation(_Strict):
    kind: str = Field(pattern="^(self_evaluation|classification_grading|post_evaluation)$")
    date: Day
    submitted_to: str | None = None
    by: Text | None = Field(None, description="作出评价的机构（如受委托的第三方机构；自评为项目单位）")
    inputs: dict[str, Any] = Field(default_factory=dict, max_length=200, description="分类分级评分的原始指标")
    score: Number | None = Field(None, ge=0, le=100)


class Contract(_Strict):
    """项目合同。"""

    signed: Day | None = Field(None, description="签订日期")
    effective: Day | None = Field(None, description="生效日期")
    price: Amount | None = Field(None, description="合同金额（万元）")
    filed: Day | None = Field(None, description="合同备案日期")
    award_notice_filed: Day | None = Field(None, description="中标（成交）通知书备案日期")


class Procurement(_Strict):
    """采购。"""

    budget_issued: Day | None = Field(None, description="预算下达日期")
    started: Day | None = Field(None, description="启动采购日期")
    method: (
        Literal[
            "public_tender",
            "invitation",
            "competitive_negotiation",
            "competitive_consultation",
            "single_source",
            "inquiry",
            "framework",
            "self",
        ]
        | None
    ) = Field(None, description="采购方式：public_tender 公开招标 / inquiry 询价 / self 自行采购 等")
    amount: Amount | None = Field(None, description="采购金额（万元）")
    quotes: int | None = Field(None, ge=0, description="取得的报价数量")
    delay_filed: Day | None = Field(None, description="未按期启动采购的备案日期")


class Report(_Strict):
    """项目进展、资金或绩效报告。"""

    kind: Literal["monthly", "quarterly", "annual", "performance"]
    period: str = Field(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$", description="报告期：2026-03、2026-Q1 或 2026"
    )
    submitted: Day


class Meeting(_Strict):
    """会议或书面请示的决定（领导小组、联席会议、单位领导班子会议 等）。"""

    body: str = Field(description="决定机构：政策包 roles.yaml 中的角色编号，或机构名称")
    kind: str = Field(
        pattern="^[a-z][a-z0-9_]*$",
        description="形式：special_meeting 专题会议 / written_request 书面请示 等",
    )
    date: Day
    ref: str | None = Field(None, description="纪要或批复文号")
    outcome: Literal["approved", "rejected", "deferred"] | None = None


class ReviewAttempt(_Strict):
    """一次评审（第三方评审、专家评审、联合评审 等）。"""

    kind: Literal["third_party", "expert", "joint", "preliminary", "filing"]
    date: Day
    result: Literal["passed", "failed"]
    by: str | None = None


class SupervisionRecord(_Strict):
    """监督检查及其处理：限期整改、通报、暂缓拨付资金或安排投资计划（暂停、终止记为阶段）。"""

    kind: Literal[
        "inspection", "rectification_order", "public_notice", "funds_held", "investment_deferred"
    ] = Field(
        description="inspection 监督检查 / rectification_order 限期整改 / public_notice 通报 / "
        "funds_held 暂缓拨付资金 / investment_deferred 暂缓安排投资计划"
    )
    date: Day = Field(description="作出的日期")
    by: Text = Field(description="作出的机构：政策包 roles.yaml 中的角色编号，或机构名称")
    ref: str | None = Field(None, description="文号")
    issue: Text | None = Field(None, description="发现的问题")
    deadline: Day | None = Field(None, description="整改期限（限期整改必填）")
    rectified: Day | None = Field(None, description="整改完成并经作出机构确认的日期")
    order: int | None = Field(
        None, ge=1, description="通报、暂缓等处理所依据的限期整改：supervision 中的第几条（从 1 起）"
    )


class Phase(_Strict):
    number: int = Field(ge=1, description="第几期")
    previous: str | None = Field(None, description="上一期项目的编号")


class FinalAccounts(_Strict):
    reviewed: Day | None = Field(None, description="决算审核完成日期")
    surplus: Amount | None = Field(None, description="结余资金（万元）")
    returned: Day | None = Field(None, description="结余资金退回日期")
    assets_registered: Day | None = Field(None, description="向财政部门办理资产入账（调账）手续的日期")


class Waiver(_Strict):
    """An exception the regulation itself allows (原则上 …), granted by the body it names."""

    rule: str = Field(pattern=r"^[A-Z]{2,4}-[0-9]{2,3}[a-z]?$", description="豁免的规则编号，如 MH-04")
    reason: Text = Field(description="豁免理由")
    granted_by: str = Field(
        pattern="^[a-z][a-z0-9_]*$", description="同意豁免的机构（角色编号，如 data_bureau）"
    )
    ref: str | None = Field(None, description="同意豁免的文件文号")
    date: Day


class StandardSystem(_Strict):
    """按通用类配置标准计价的系统（杨浦）。"""

    kind: Literal["oa", "video_conference", "website", "machine_room", "hotline"]
    size: Literal["small", "medium", "large"] | None = None
    endpoints: int | None = Field(None, ge=0, description="视频会议终端数")
    area_m2: Number | None = Field(None, ge=0, description="机房面积（平方米）")
    seats: int | None = Field(None, ge=0, description="热线座席数")


class Project(_Strict):
    """一个政务数字化项目。"""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="政务数字化项目",
    )

    id: str = Field(pattern=ID_PATTERN, description="项目编号，例如 MH-2026-014")
    name: Text = Field(description="项目名称（按所在区的命名规范）")
    district: DistrictKey = Field(description="所在区（submissions/ 下的文件夹名，如 minhang）")
    project_unit: Text = Field(description="项目单位")
    budget_authority: Text = Field(description="预算主管部门")
    type: ProjectType
    mode: ConstructionMode | None = Field(None, description="建设方式（建设类项目必填）")
    category: list[Category] = Field(min_length=1, description="项目类别")
    summary: str | None = Field(None, max_length=4000, description="建设内容摘要（公开）")
    budget_year: int = Field(ge=2000, le=2100, description="资金安排年度")
    implementing_body: Text | None = Field(None, description="项目实施机构（项目单位确定）")
    project_lead: Text | None = Field(None, description="项目责任人（姓名与职务）")
    attributes: Attributes = Field(default_factory=Attributes)
    deployment: Deployment = Field(default_factory=Deployment)
    video: Video | None = None
    iot: Iot | None = None
    multi_year: MultiYear | None = None
    original_project: str | None = Field(None, description="升级改造或运维所针对的原项目编号")
    unified_code: str | None = Field(
        None,
        pattern=r"^[0-9]{4}-[0-9]{6}-[0-9]{2}-[0-9]{2}-[0-9]{6}$",
        description="项目统一代码（投资项目在线审批监管平台赋予的代码，如 2026-310112-65-01-123456；没有的不填）",
    )
    budget: Budget
    stage: Stage = Field(description="当前阶段")
    stages: list[StageRecord] = Field(min_length=1, description="到达各阶段的记录，按时间顺序")
    materials: list[Material] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    acceptance: list[AcceptanceRecord] = Field(default_factory=list, description="验收记录（含不合格）")
    warranty: Warranty | None = None
    operation: Operation | None = None
    evaluations: list[Evaluation] = Field(default_factory=list)
    review_track: str | None = Field(
        None,
        pattern="^[a-z][a-z0-9_]*$",
        description="申请的评审通道（各区政策包定义，如 normal、fast、filing）",
    )
    phase: Phase | None = Field(None, description="分期建设项目的期数")
    contract: Contract | None = None
    procurement: Procurement | None = None
    reports: list[Report] = Field(default_factory=list)
    meetings: list[Meeting] = Field(default_factory=list)
    reviews: list[ReviewAttempt] = Field(default_factory=list, description="评审记录（含未通过的）")
    final_accounts: FinalAccounts | None = None
    supervision: list[SupervisionRecord] = Field(
        default_factory=list, description="监督检查与处理记录（限期整改、通报、暂缓拨付 等），按时间顺序"
    )
    standard_system: StandardSystem | None = None
    waivers: list[Waiver] = Field(
        default_factory=list, description="经有权机构同意的例外（只适用于条款本身允许例外的要求）"
    )
    local: dict[str, Any] = Field(
        default_factory=dict,
        max_length=200,
        description="所在区政策要求的其他信息：字段由该区政策包的 fields.yaml 定义，校验时按其类型检查",
    )

    def stage_date(self, stage: Stage) -> dt.date | None:
        """Date the project last reached `stage`, if it did."""
        for record in reversed(self.stages):
            if record.stage is stage:
                return record.date
        return None


def project_json_schema() -> dict[str, Any]:
    from govsite.schema import project_schema

    return project_schema()
