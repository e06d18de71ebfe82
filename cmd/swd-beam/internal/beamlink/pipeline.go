package beamlink

import (
	"context"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
)

func init() {
	for _, t := range []any{Task{}, ClkItem{}, Hit{}, BlockStat{}, TFItem{}, Req{}, Compared{}, Edge{}, ScoreStat{}, ScoreItem{}, ClusterStat{}, Person{}, Row{}} {
		beam.RegisterType(reflect.TypeOf(t))
	}
	register.DoFn7x1[context.Context, Task, func(uint64, Rec), func(string, uint64), func(string, uint64), func(string, int64), func(string, ClkItem), error](&readFn{})
	register.DoFn4x0[string, func(*uint64) bool, func(string), func(string, BlockStat)](&blockFn{})
	register.DoFn4x1[context.Context, string, func(*ClkItem) bool, func(string, []Hit), error](&diceFn{})
	register.DoFn3x0[string, func(*[]Hit) bool, func(string)](&topHitsFn{})
	register.DoFn3x0[string, func(*uint64) bool, func(uint64, TFItem)](&tfCountFn{})
	register.Function4x0(attachTFFn)
	register.DoFn4x0[string, int, func(uint64, Req), func(int, int64)](&candidateReqFn{})
	register.Function1x2(blockSource)
	register.Function1x2(diceSource)
	register.Function2x1(orInt)
	register.Emitter2[int, int64]()
	register.Iter2[int, int64]()
	register.DoFn2x1[int, func(uint64, Req), error](&sampleFn{})
	register.Function4x0(firstHalfFn)
	register.DoFn6x0[context.Context, uint64, func(*Rec) bool, func(*Half) bool, func(Compared), func(string, int64)](&compareFn{})
	register.Function1x2(patternOf)
	register.Function2x1(sumInt64)
	register.DoFn5x1[context.Context, []byte, func(*uint64, *int64) bool, func(*string, *int64) bool, func(string), error](&fitFn{})
	register.DoFn5x1[Compared, string, func(*string, *int64) bool, func(Edge), func(int, ScoreItem), error](&scoreFn{})
	register.Combiner2[ScoreStat, ScoreItem](&scoreStatFn{})
	register.Function2x1(addBlockStat)
	register.Function2x1(addClusterStat)
	register.Function3x0(bothWays)
	register.Function3x0(toLarger)
	register.Function3x0(largeStarFn)
	register.Function3x0(smallStarFn)
	register.Function3x1(labelFn)
	register.Function1x2(edgeByA)
	register.Function1x2(edgeNodes)
	register.DoFn5x0[uint64, func(*Rec) bool, func(*uint64) bool, func(uint64, Rec), func(Person)](&labelRecFn{})
	register.Function4x0(labelEdgeFn)
	register.DoFn8x1[context.Context, uint64, func(*Rec) bool, func(*Edge) bool, string, func(*string, *int64) bool, func(Person), func(ClusterStat), error](&clusterFn{})
	register.Function2x0(householdKeyFn)
	register.Function3x0(householdEdgesFn)
	register.Function1x2(personByID)
	register.DoFn4x0[uint64, func(*Person) bool, func(*uint64) bool, func(int, Row)](&rowFn{})
	register.DoFn4x1[context.Context, int, func(*Row) bool, func(*int) bool, error](&writeShardFn{})
	register.Function1x2(shardMarker)
	register.Iter1[int]()
	register.DoFn7x1[context.Context, []byte, string, func(*string, *BlockStat) bool, func(*int, *ScoreStat) bool, func(*ClusterStat) bool, func(*int, *int64) bool, error](&summaryFn{})

	register.Emitter2[uint64, Rec]()
	register.Emitter2[string, uint64]()
	register.Emitter2[string, int64]()
	register.Emitter2[string, ClkItem]()
	register.Emitter1[string]()
	register.Emitter2[string, BlockStat]()
	register.Emitter2[string, []Hit]()
	register.Emitter2[uint64, TFItem]()
	register.Emitter2[uint64, Req]()
	register.Emitter2[uint64, Half]()
	register.Emitter1[Compared]()
	register.Emitter1[Edge]()
	register.Emitter2[int, ScoreItem]()
	register.Emitter2[uint64, uint64]()
	register.Emitter1[Person]()
	register.Emitter2[uint64, Edge]()
	register.Emitter1[ClusterStat]()
	register.Emitter2[int, Row]()
	register.Iter1[uint64]()
	register.Iter1[ClkItem]()
	register.Iter1[[]Hit]()
	register.Iter1[Rec]()
	register.Iter1[TFItem]()
	register.Iter1[Req]()
	register.Iter1[Half]()
	register.Iter2[uint64, int64]()
	register.Iter2[string, int64]()
	register.Iter1[Edge]()
	register.Iter1[Person]()
	register.Iter1[Row]()
	register.Iter2[string, BlockStat]()
	register.Iter2[int, ScoreStat]()
	register.Iter1[ClusterStat]()
}

// Build adds the linkage of plan to the pipeline: the links go to shards in
// plan.ShardDir (MergeShards reads them back in order) with a Summary
// beside them. modelJSON, when not empty, is applied as it is instead of
// fitting a model.
func Build(s beam.Scope, plan *Plan, modelJSON string) {
	ps := plan.Encode()
	s = s.Scope("swd.link")

	// 1. Read the row groups.
	read := beam.ParDoN(s.Scope("Read"), &readFn{Plan: ps}, beam.CreateList(s, plan.Tasks()))
	recs, blocks, tfs, totals, clks := read[0], read[1], read[2], read[3], read[4]

	// 2–3. Candidate pairs: blocks and the Dice pass, de-duplicated.
	bs := s.Scope("Block")
	pairs, blockStats := beam.ParDo2(bs, &blockFn{Plan: ps}, beam.GroupByKey(bs, blocks))
	ds := s.Scope("DicePass")
	hits := beam.ParDo(ds, &diceFn{Plan: ps}, beam.GroupByKey(ds, clks))
	dicePairs := beam.ParDo(ds, &topHitsFn{Plan: ps}, beam.GroupByKey(ds, hits))
	cands := beam.CombinePerKey(s, orInt, beam.Flatten(s, beam.ParDo(s, blockSource, pairs), beam.ParDo(s, diceSource, dicePairs)))

	// 4. Term frequencies, then the two joins of each pair with its records.
	ts := s.Scope("TermFrequencies")
	tfItems := beam.ParDo(ts, &tfCountFn{Partners: len(plan.Partners)}, beam.GroupByKey(ts, tfs))
	full := beam.ParDo(ts, attachTFFn, beam.CoGroupByKey(ts, recs, tfItems))
	totalsSum := beam.CombinePerKey(ts, sumInt64, totals)

	js := s.Scope("Compare")
	reqs, blocked := beam.ParDo2(js, &candidateReqFn{Plan: ps}, cands)
	if modelJSON == "" {
		jobs := make([]int, len(plan.Jobs))
		for k := range jobs {
			jobs[k] = k
		}
		reqs = beam.Flatten(js, reqs, beam.ParDo(js, &sampleFn{Plan: ps}, beam.CreateList(js, jobs)))
	}
	halves := beam.ParDo(js, firstHalfFn, beam.CoGroupByKey(js, full, reqs))
	compared, sampled := beam.ParDo2(js, &compareFn{Plan: ps}, beam.CoGroupByKey(js, full, halves))

	// 5. The model.
	ms := s.Scope("Model")
	var model beam.PCollection
	if modelJSON != "" {
		model = beam.Create(ms, modelJSON)
	} else {
		patterns := beam.CombinePerKey(ms, sumInt64, beam.ParDo(ms, patternOf, compared))
		samples := beam.CombinePerKey(ms, sumInt64, sampled)
		model = beam.ParDo(ms, &fitFn{Plan: ps}, beam.Impulse(ms), beam.SideInput{Input: patterns}, beam.SideInput{Input: samples})
	}

	// 6. Scores and edges.
	ss := s.Scope("Score")
	edges, scoreStats := beam.ParDo2(ss, &scoreFn{Plan: ps}, compared, beam.SideInput{Input: model}, beam.SideInput{Input: totalsSum})

	// 7. Persons: components, each clustered by cluster.Build.
	cs := s.Scope("Persons")
	labels := Components(cs, beam.ParDo(cs, edgeNodes, edges), plan.Rounds)
	compRecs, alone := beam.ParDo2(cs, &labelRecFn{Plan: ps}, beam.CoGroupByKey(cs, full, labels))
	compEdges := beam.ParDo(cs, labelEdgeFn, beam.CoGroupByKey(cs, beam.ParDo(cs, edgeByA, edges), labels))
	clustered, clusterStats := beam.ParDo2(cs, &clusterFn{Plan: ps}, beam.CoGroupByKey(cs, compRecs, compEdges),
		beam.SideInput{Input: model}, beam.SideInput{Input: totalsSum})
	persons := beam.Flatten(cs, clustered, alone)

	// 8. Households: components of persons sharing a partner's household id.
	hs := s.Scope("Households")
	hhEdges := beam.ParDo(hs, householdEdgesFn, beam.GroupByKey(hs, beam.ParDo(hs, householdKeyFn, persons)))
	hhLabels := Components(hs, hhEdges, plan.Rounds)
	rows := beam.ParDo(hs, &rowFn{Plan: ps}, beam.CoGroupByKey(hs, beam.ParDo(hs, personByID, persons), hhLabels))

	// 9. Output shards and the summary.
	os := s.Scope("Write")
	shards := make([]int, plan.Shards)
	for k := range shards {
		shards[k] = k
	}
	markers := beam.ParDo(os, shardMarker, beam.CreateList(os, shards))
	beam.ParDo0(os, &writeShardFn{Plan: ps}, beam.CoGroupByKey(os, rows, markers))
	beam.ParDo0(os, &summaryFn{Plan: ps}, beam.Impulse(os), beam.SideInput{Input: model},
		beam.SideInput{Input: beam.CombinePerKey(os, addBlockStat, blockStats)},
		beam.SideInput{Input: beam.CombinePerKey(os, &scoreStatFn{Threshold: plan.Threshold}, scoreStats)},
		beam.SideInput{Input: beam.Combine(os, addClusterStat, clusterStats)},
		beam.SideInput{Input: beam.CombinePerKey(os, sumInt64, blocked)})
}
