"""The controlled vocabulary of the registry: English keys (GLOSSARY.md) with their Chinese labels.

Keys are what files and packs say; labels are what people read. One place, so the schema, the
messages and the site never disagree about a term.
"""

from __future__ import annotations

from enum import Enum, StrEnum


class LabelledEnum(StrEnum):
    """A str enum whose members carry a Chinese label."""

    @property
    def label(self) -> str:
        return LABELS.get(str(self.value), str(self.value))


class District(LabelledEnum):
    MINHANG = "minhang"
    QINGPU = "qingpu"
    YANGPU = "yangpu"
    GONGSHU = "gongshu"
    LONGGANG = "longgang"


class Stage(LabelledEnum):
    REQUIREMENT = "requirement"
    DECLARED = "declared"
    CORRECTION = "correction"
    INTAKE = "intake"
    INTAKE_REFUSED = "intake_refused"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    IN_LIBRARY = "in_library"
    LEFT_LIBRARY = "left_library"
    APPROVED = "approved"
    UNDER_CONSTRUCTION = "under_construction"
    ACCEPTANCE_FAILED = "acceptance_failed"
    RECTIFICATION = "rectification"
    ACCEPTED = "accepted"
    IN_OPERATION = "in_operation"
    OUT_OF_USE = "out_of_use"
    DECOMMISSIONED = "decommissioned"


class ProjectType(LabelledEnum):
    CONSTRUCTION = "construction"
    OPERATION = "operation"


class ConstructionMode(LabelledEnum):
    NEW = "new"
    UPGRADE = "upgrade"
    IT_SERVICE = "it_service"


class Category(LabelledEnum):
    # in scope
    APPLICATION = "application"
    INFRASTRUCTURE = "infrastructure"
    NETWORK = "network"
    IOT = "iot"
    VIDEO = "video"
    DATA = "data"
    SECURITY = "security"
    # out of scope in one or more regulations (闵行 附件1 negative list …)
    BUILDING_INTELLIGENCE = "building_intelligence"
    OFFICE_EQUIPMENT = "office_equipment"
    OUTDOOR_COMMUNICATION = "outdoor_communication"
    CONVERGED_COMMUNICATION = "converged_communication"
    PIPELINE_ENGINEERING = "pipeline_engineering"
    PROFESSIONAL_EQUIPMENT = "professional_equipment"
    SCIENTIFIC_RESEARCH = "scientific_research"
    CLASSROOM_TEACHING = "classroom_teaching"
    BUSINESS_OPERATION = "business_operation"
    DIGITAL_CONTENT = "digital_content"
    ARCHIVE_DIGITISATION = "archive_digitisation"
    WEAK_CURRENT = "weak_current"
    STANDARD_PRODUCTS = "standard_products"
    OFFICE_TERMINALS = "office_terminals"
    # operation items some regulations exclude from O&M funding
    UTILITIES = "utilities"
    TRANSPORT = "transport"
    COMMUNICATION_FEES = "communication_fees"
    TRAINING = "training"
    MEETINGS = "meetings"
    DAILY_OFFICE = "daily_office"


class Domain(LabelledEnum):
    GOVERNMENT_SERVICES = "government_services"
    CITY_OPERATION = "city_operation"
    KEY_FIELD = "key_field"


class UnifiedBuild(LabelledEnum):
    NONE = "none"
    DISTRICT = "district"
    YIWANGTONGBAN = "yiwangtongban"
    YIWANGTONGGUAN = "yiwangtongguan"
    YIWANGXIETONG = "yiwangxietong"


class OwnFacility(LabelledEnum):
    DATA_RESOURCE_PLATFORM = "data_resource_platform"
    CLOUD_PLATFORM = "cloud_platform"
    PRIVATE_NETWORK = "private_network"
    MACHINE_ROOM = "machine_room"


class MaterialKind(LabelledEnum):
    REQUIREMENT_STATEMENT = "requirement_statement"
    PRE_REVIEW_OPINION = "pre_review_opinion"
    DEPARTMENT_OPINION = "department_opinion"
    CONSTRUCTION_PLAN = "construction_plan"
    OVERALL_PLAN = "overall_plan"
    PHASE_PLAN = "phase_plan"
    CONTRACT = "contract"
    ANNUAL_SUMMARY = "annual_summary"
    ORIGINAL_APPROVAL = "original_approval"
    ORIGINAL_CONTRACT = "original_contract"
    ACCEPTANCE_OPINION = "acceptance_opinion"
    CRYPTO_APPLICATION_PLAN = "crypto_application_plan"
    CRYPTO_PLAN_EVALUATION = "crypto_plan_evaluation"
    SUPERVISION_CONTRACT = "supervision_contract"
    SYSTEM_TEST_REPORT = "system_test_report"
    SECURITY_ASSESSMENT_REPORT = "security_assessment_report"
    CRYPTO_TEST_REPORT = "crypto_test_report"
    CRYPTO_ASSESSMENT = "crypto_assessment"
    ACCEPTANCE_REPORT = "acceptance_report"
    ACCEPTANCE_MATERIALS = "acceptance_materials"
    RECTIFICATION_REPORT = "rectification_report"
    CHANGE_REQUEST = "change_request"
    OM_PLAN = "om_plan"
    OM_SUMMARY = "om_summary"
    WORK_ORDERS = "work_orders"
    OM_CONTRACT = "om_contract"
    COMMUNICATION_BILLS = "communication_bills"
    SERVICE_REPORTS = "service_reports"
    SELF_EVALUATION_REPORT = "self_evaluation_report"
    STOP_REPORT = "stop_report"
    DEVICE_CATALOGUE = "device_catalogue"
    OTHER = "other"


class AcceptanceLevel(LabelledEnum):
    PRELIMINARY = "preliminary"
    FINAL = "final"
    SINGLE = "single"


class AcceptanceResult(LabelledEnum):
    PASSED = "passed"
    FAILED = "failed"


class ChangeContent(LabelledEnum):
    REDUCED = "reduced"
    ADDED = "added"
    MIXED = "mixed"


class ReviewOutcome(LabelledEnum):
    SUPPORTED = "supported"
    APPROVED = "approved"
    DEFERRED = "deferred"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        # "approved" as an outcome is 同意, not the stage 批复 that shares its key
        return LABELS.get(f"{self.value}_outcome") or LABELS[self.value]


LABELS: dict[str, str] = {
    # districts
    "minhang": "闵行区",
    "qingpu": "青浦区",
    "yangpu": "杨浦区",
    "gongshu": "拱墅区",
    "longgang": "龙岗区",
    # stages
    "requirement": "需求提出",
    "declared": "申报",
    "correction": "补正",
    "intake": "受理",
    "intake_refused": "不予受理",
    "deferred": "暂缓",
    "rejected": "否定",
    "in_library": "入库",
    "left_library": "出库",
    "approved": "批复",
    "under_construction": "建设实施",
    "acceptance_failed": "验收不合格",
    "rectification": "整改",
    "accepted": "验收通过",
    "in_operation": "运行",
    "out_of_use": "停用",
    "decommissioned": "下架",
    # types and modes
    "construction": "建设",
    "operation": "运维",
    "new": "新建",
    "upgrade": "升级改造",
    "it_service": "信息技术服务",
    # categories
    "application": "应用系统",
    "infrastructure": "基础支撑",
    "network": "网络系统",
    "iot": "物联感知",
    "video": "视频",
    "data": "数据",
    "security": "安全",
    "building_intelligence": "楼宇智能化",
    "office_equipment": "办公及会务设备",
    "outdoor_communication": "室外通信工程",
    "converged_communication": "融合通信工程",
    "pipeline_engineering": "管道工程",
    "professional_equipment": "业务专业设备",
    "scientific_research": "科研类系统",
    "classroom_teaching": "课堂教学类系统",
    "business_operation": "业务运营服务",
    "digital_content": "数字内容制作",
    "archive_digitisation": "档案数字化加工",
    "weak_current": "弱电工程",
    "standard_products": "标准软硬件产品",
    "office_terminals": "办公终端",
    "utilities": "水电等公用事业费用",
    "transport": "交通费用",
    "communication_fees": "通信费用",
    "training": "培训费用",
    "meetings": "会议费用",
    "daily_office": "日常办公费用",
    # domains
    "government_services": "政务服务",
    "city_operation": "城市运行",
    "key_field": "重点领域",
    # unified build
    "none": "非统建",
    "district": "区级统建",
    "yiwangtongban": "一网通办统建",
    "yiwangtongguan": "一网统管统建",
    "yiwangxietong": "一网协同统建",
    # own facilities
    "data_resource_platform": "独立数据资源平台",
    "cloud_platform": "独立云平台",
    "private_network": "业务专网",
    "machine_room": "数据中心机房",
    # materials
    "requirement_statement": "需求说明材料",
    "pre_review_opinion": "预审意见",
    "department_opinion": "区级相关部门意见",
    "construction_plan": "项目建设方案",
    "overall_plan": "整体方案",
    "phase_plan": "分期建设计划",
    "contract": "项目合同",
    "annual_summary": "年度总结报告",
    "original_approval": "原项目立项批复文件",
    "original_contract": "原项目建设合同",
    "acceptance_opinion": "原项目验收意见",
    "crypto_application_plan": "密码应用方案",
    "crypto_plan_evaluation": "密码应用方案评估报告或专家意见",
    "supervision_contract": "监理合同",
    "system_test_report": "第三方系统测试报告",
    "security_assessment_report": "第三方安全测评报告",
    "crypto_test_report": "密码应用测评报告",
    "crypto_assessment": "密码应用安全性评估报告",
    "acceptance_report": "验收报告",
    "acceptance_materials": "验收材料",
    "rectification_report": "整改报告",
    "change_request": "变更申请",
    "om_plan": "运维方案",
    "om_summary": "运维工作总结",
    "work_orders": "运维工单",
    "om_contract": "运维服务合同（盖章版）",
    "communication_bills": "通信费用账单",
    "service_reports": "相关服务报告",
    "self_evaluation_report": "绩效自评估报告",
    "stop_report": "停用报备",
    "device_catalogue": "设备编目清单",
    "other": "其他",
    # acceptance, changes, outcomes
    "preliminary": "初步验收",
    "final": "最终验收",
    "single": "验收",
    "passed": "合格",
    "failed": "不合格",
    "reduced": "仅减少内容",
    "added": "仅新增内容",
    "mixed": "其他调整",
    "supported": "支持",
    "approved_outcome": "同意",
    "deferred_outcome": "暂缓",
    "rejected_outcome": "否定",
}


# Rule kinds of docs/policy-packs.md.
RULE_KIND_LABELS: dict[str, str] = {
    "scope": "适用范围",
    "class": "分类认定",
    "name": "命名规范",
    "gate": "阶段条件",
    "route": "审批路由",
    "clock": "时限",
    "change": "变更",
    "cross": "跨项目",
    "cost": "费用标准",
    "score": "评分",
}

# Deadline status (findings.Deadline.status).
DEADLINE_STATUS_LABELS: dict[str, str] = {
    "pending": "待办",
    "met": "已按期完成",
    "late": "逾期完成",
    "overdue": "已逾期",
}


def label(value: object) -> str:
    """Chinese label of a vocabulary key (or of an enum member); the key itself if unknown."""
    key = value.value if isinstance(value, Enum) else str(value)
    return LABELS.get(key, key)
