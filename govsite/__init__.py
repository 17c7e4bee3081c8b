"""govsite：以 Git 仓库管理政务数字化项目的全生命周期。"""

__version__ = "0.2.0"
