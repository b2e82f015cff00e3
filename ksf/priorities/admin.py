from django.contrib import admin

from .models import Candidate, ConflictDeclaration, Criterion, DecisionRecord, Participant, Round, RoundDecision, Score


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    raw_id_fields = ["user", "invited_by"]


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["title", "level", "region", "meeting_date", "status"]
    list_filter = ["level", "status", "region"]
    search_fields = ["title"]
    inlines = [CriterionInline, ParticipantInline]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ["round", "user", "need", "conflicted", "declared_at"]
    list_filter = ["conflicted"]
    raw_id_fields = ["round", "user", "need"]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["round", "user", "need", "criterion", "value"]
    raw_id_fields = ["round", "user", "need", "criterion"]


@admin.register(RoundDecision)
class RoundDecisionAdmin(admin.ModelAdmin):
    list_display = ["round", "need", "kind", "to_status", "decided_at"]
    raw_id_fields = ["round", "need", "partner", "decided_by"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["round", "need", "added_at"]
    raw_id_fields = ["round", "need", "added_by"]


@admin.register(DecisionRecord)
class DecisionRecordAdmin(admin.ModelAdmin):
    list_display = ["measure_title", "municipality", "need", "decision", "published"]
    list_filter = ["decision", "published"]
    search_fields = ["measure_title", "municipality__name"]
    raw_id_fields = ["need", "municipality", "created_by", "updated_by"]
