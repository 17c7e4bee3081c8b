"""The controlled vocabulary of the registry: English keys (GLOSSARY.md) with their Chinese labels.

Keys are what files and packs say; labels are what people read. One place, so the schema, the
messages and the site never disagree about a term.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from govsite.districts import name_of


class LabelledEnum(StrEnum):
    """A str enum whose members carry a Chinese label."""

    @property
    def label(self) -> str:
        return LABELS.get(str(self.value), str(self.value))


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
    # 试运行 (龙岗 第二十七条, 拱墅 第二十条, 青浦 第二十一条): between construction and the acceptance it leads to
    TRIAL_RUN = "trial_run"
    ACCEPTANCE_FAILED = "acceptance_failed"
    RECTIFICATION = "rectification"
    ACCEPTED = "accepted"
    IN_OPERATION = "in_operation"
    OUT_OF_USE = "out_of_use"
    DECOMMISSIONED = "decommissioned"
    # supervision outcomes (闵行 第四十一条 暂停项目建设直至终止项目, …): paused, and ended early
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


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
    "trial_run": "试运行",
    "acceptance_failed": "验收不合格",
    "rectification": "整改",
    "accepted": "验收通过",
    "in_operation": "运行",
    "out_of_use": "停用",
    "decommissioned": "下架",
    "suspended": "暂停",
    "terminated": "终止",
    # supervision
    "inspection": "监督检查",
    "rectification_order": "限期整改",
    "public_notice": "通报",
    "funds_held": "暂缓拨付资金",
    "investment_deferred": "暂缓安排投资计划",
    "rectified": "已整改",
    "not_rectified": "逾期未整改",
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
    """Chinese label of a vocabulary key (or of an enum member), or a district's name (the districts
    come from the packs, govsite/districts.py); the key itself if unknown."""
    key = value.value if isinstance(value, Enum) else str(value)
    found = LABELS.get(key)
    return found if found is not None else name_of(key)


# The Chinese name of every field of a project file: the schema's titles (editor hints), and how
# messages name a field ("缺少必填字段“项目单位”（project_unit）").
FIELD_LABELS: dict[str, str] = {
    "acceptance": "验收记录",
    "acceptance_report_available": "能否提供验收报告",
    "amount": "金额（万元）",
    "annual_key_work": "年度重点工作",
    "approved_by": "核准机构",
    "approved_by_data_bureau": "原系统经区数据局批复",
    "approved_date": "核准日期",
    "area_m2": "机房面积（平方米）",
    "attributes": "项目属性",
    "award_notice_filed": "中标通知书备案日期",
    "base_amount": "计费基数（万元）",
    "body": "决定机构",
    "budget": "投资",
    "budget_authority": "预算主管部门",
    "budget_issued": "预算下达日期",
    "budget_unit_class": "预算单位类别",
    "budget_year": "资金安排年度",
    "unified_code": "项目统一代码",
    "by": "作出决定的机构",
    "category": "项目类别",
    "changes": "变更",
    "classified": "涉密",
    "cloud_exception": "不使用政务云的依据",
    "commercial_crypto": "须使用商用密码保护",
    "complexity": "应用软件复杂程度",
    "connected_to_platform": "视频数据复接至区平台",
    "content": "调整方式",
    "content_matches": "运维内容与实际相符",
    "contract": "合同",
    "cross_department": "跨层级、跨部门",
    "crypto_security_compliant": "符合密码应用和网络安全要求",
    "custom_software_free_om_years": "应用开发软件免费运维期（年）",
    "data_aggregated": "数据已归集",
    "data_shared": "已共享数据资源",
    "date": "日期",
    "delay_filed": "未按期采购的备案日期",
    "deployment": "部署",
    "designated_major": "经指定的重点管理项目",
    "device_catalogue": "已完成设备及数据编目",
    "device_class": "设备类别",
    "district": "所在区",
    "domains": "涉及领域",
    "effective": "生效日期",
    "endpoints": "视频会议终端数",
    "evaluations": "评价与评估",
    "filed": "备案日期",
    "final_accounts": "竣工决算",
    "first_time": "首次申请运维费用",
    "fiscal_level": "资金来源",
    "fixed_asset_investment": "固定资产投资项目",
    "goals_unchanged": "建设目标不变",
    "government_cloud": "使用政务云",
    "government_extranet": "依托政务外网",
    "government_owned_code": "源代码归政府所有",
    "granted_by": "同意豁免的机构",
    "hardware": "硬件投资（万元）",
    "hardware_years": "硬件质保期（年）",
    "id": "项目编号",
    "in_it_plan": "列入信息化规划",
    "in_major_list": "已纳入重大项目清单",
    "in_use": "仍在使用",
    "information_publishing": "信息发布类项目",
    "inputs": "评分指标",
    "internet_facing": "涉及互联网访问",
    "involves_district_departments": "涉及的区级部门",
    "iot": "物联感知",
    "items": "预算明细",
    "kind": "类别",
    "level": "验收类型",
    "local": "本区字段",
    "log_retention_days": "日志存储天数",
    "major_security_hazard": "存在重大安全隐患",
    "materials": "材料",
    "meetings": "会议与请示",
    "method": "采购方式",
    "mlps_level": "等保级别",
    "mode": "建设方式",
    "multi_year": "分年实施",
    "name": "名称",
    "national_crypto": "按国密标准建设",
    "nature": "建设性质",
    "note": "备注",
    "number": "期数",
    "on_government_cloud": "部署在政务云",
    "operation": "被运维的系统",
    "organiser": "组织验收的机构",
    "original_project": "原项目编号",
    "outcome": "结论",
    "own_facilities": "拟自建的设施",
    "parent_system": "所属大系统",
    "path": "文件路径",
    "performance_tracking_passed": "绩效跟踪监测合格",
    "period": "报告期",
    "person_months": "人月数",
    "phase": "分期",
    "previous": "上一期项目编号",
    "previous_year_amount": "上一年度运维费用（万元）",
    "price": "合同金额（万元）",
    "procurement": "采购",
    "product_software_years": "产品软件质保期（年）",
    "project_unit": "项目单位",
    "public": "可以公开",
    "pure_product_purchase": "纯产品采购",
    "quantity": "数量",
    "quotes": "报价数量",
    "reason": "理由",
    "ref": "文号",
    "reform_field": "数字化改革领域",
    "reported_to_data_bureau": "向区数据局报备日期",
    "reports": "报告",
    "required_by_leadership": "区委区政府要求建设",
    "result": "结论",
    "returned": "结余资金退回日期",
    "assets_registered": "资产入账日期",
    "review_track": "评审通道",
    "reviewed": "决算审核完成日期",
    "reviews": "评审记录",
    "rule": "规则编号",
    "score": "得分",
    "seats": "热线座席数",
    "self_funded": "单位自筹资金",
    "sha256": "SHA-256 摘要",
    "signed": "签订日期",
    "size": "规模",
    "software_development": "软件开发投资（万元）",
    "stage": "阶段",
    "stages": "阶段记录",
    "standard_system": "按配置标准计价的系统",
    "started": "启动采购日期",
    "submitted": "提交日期",
    "submitted_to": "报送机构",
    "summary": "内容摘要",
    "surplus": "结余资金（万元）",
    "system": "被运维系统的项目编号",
    "system_level": "系统层级",
    "title": "标题",
    "total": "总投资（万元）",
    "type": "项目类型",
    "unified_build": "统建类型",
    "unique_device_codes": "终端唯一编码",
    "unit_level": "项目单位层级",
    "unit_price": "单价（万元）",
    "upstream_approval_ref": "上级部门批复文号",
    "video": "视频",
    "waivers": "豁免",
    "warranty": "质保与免费运维",
    "within_approved_investment": "投资未超批复",
    "xinchuang": "按信创标准建设",
    "year_index": "本次为第几年",
    "years": "总年数",
    "implementing_body": "项目实施机构",
    "project_lead": "项目责任人",
    "supervision": "监督检查与整改",
    "issue": "发现的问题",
    "deadline": "整改期限",
    "rectified": "整改完成日期",
    "order": "所依据的限期整改",
}

# Labels of values that only one field uses, where a shared key would read wrong ("approved" is the
# stage 批复, but a meeting's outcome 同意).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "outcome": {"approved": "同意", "rejected": "不同意", "deferred": "暂缓", "supported": "支持"},
    "fiscal_level": {"district": "区本级财政资金", "town": "镇级财政资金", "other": "其他"},
    "unit_level": {"district": "区级", "town": "街镇"},
    "budget_unit_class": {"A": "A 类单位", "B": "B 类单位"},
    "system_level": {"big_system": "大系统级（含平台）", "subsystem": "子系统级", "module": "功能模块级"},
    "nature": {
        "infrastructure": "基础设施类",
        "digital_base": "数字底座类",
        "industry_platform": "行业平台类",
        "business_application": "业务应用类",
    },
    "reform_field": {
        "party_government": "党政机关整体智治",
        "digital_government": "数字政府",
        "digital_economy": "数字经济",
        "digital_society": "数字社会",
        "digital_rule_of_law": "数字法治",
        "public_data_platform": "一体化智能化公共数据平台",
    },
    "complexity": {"simple": "简单", "complex": "复杂", "very_complex": "很复杂"},
    "kind": {
        "monthly": "月报",
        "quarterly": "季报",
        "annual": "年报",
        "performance": "绩效报告",
        "third_party": "第三方评审",
        "expert": "专家评审",
        "joint": "联合评审",
        "preliminary": "预审",
        "filing": "备案审查",
        "self_evaluation": "绩效自评",
        "classification_grading": "分类分级评分",
        "post_evaluation": "后评价",
        "oa": "办公自动化系统",
        "video_conference": "视频会议系统",
        "website": "门户网站",
        "machine_room": "机房",
        "hotline": "热线",
    },
    "method": {
        "public_tender": "公开招标",
        "invitation": "邀请招标",
        "competitive_negotiation": "竞争性谈判",
        "competitive_consultation": "竞争性磋商",
        "single_source": "单一来源采购",
        "inquiry": "询价",
        "framework": "框架协议采购",
        "self": "自行采购",
    },
    "result": {"passed": "通过", "failed": "未通过"},
    "size": {"small": "小型", "medium": "中型", "large": "大型"},
}


def value_label(field: str, value: object) -> str:
    """The Chinese label of `value` as a value of `field`."""
    key = value.value if isinstance(value, Enum) else str(value)
    return VALUE_LABELS.get(field, {}).get(key) or LABELS.get(key, key)
