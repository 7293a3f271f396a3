package bench

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WriteAblatePlot writes a PNG of the dispersion error against the NFE per
// sample (mean, log axis) of one Ablate run, with ±1 SE bars: one curve per
// setting (its points the ε_rel), Euler–Maruyama at 1000 and 100 steps
// (the verdict's references) and the exact sampler's dispersion as a dashed
// line. Rows without an NFE > 0 or a finite dispersion are left out.
func WriteAblatePlot(path string, rows []AblateRow) error {
	if len(rows) == 0 {
		return errors.New("bench: no rows to plot")
	}
	r0 := rows[0].Row
	p := plot.New()
	p.Title.Text = fmt.Sprintf("ablation of the adaptive pair on %s, %s: n = %d", r0.Data, strings.ToUpper(r0.SDE), r0.N)
	p.X.Label.Text = "NFE per sample (mean, log scale)"
	p.Y.Label.Text = "dispersion error (± SE)"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	p.Add(plotter.NewGrid())
	usable := func(r Row) bool {
		return r.NFEMean > 0 && !math.IsInf(r.NFEMean, 0) && !math.IsNaN(r.Dispersion) && !math.IsInf(r.Dispersion, 0)
	}
	var order []string
	by := map[string][]Row{}
	for _, ar := range rows {
		key := ar.Variant
		switch {
		case ar.Values != nil:
		case ar.Sampler == "em":
			key = "Euler–Maruyama (100, 1000 steps)"
		default:
			continue
		}
		if !usable(ar.Row) {
			continue
		}
		if _, ok := by[key]; !ok {
			order = append(order, key)
		}
		by[key] = append(by[key], ar.Row)
	}
	if len(order) == 0 {
		return errors.New("bench: no rows with an NFE and a dispersion to plot")
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for i, key := range order {
		pts := by[key]
		slices.SortStableFunc(pts, func(a, b Row) int { return cmpFloat(a.NFEMean, b.NFEMean) })
		d := xyErr{XYs: make(plotter.XYs, len(pts)), YErrors: make(plotter.YErrors, len(pts))}
		for j, r := range pts {
			d.XYs[j] = plotter.XY{X: r.NFEMean, Y: r.Dispersion}
			se := r.DispersionSE
			if math.IsNaN(se) || math.IsInf(se, 0) {
				se = 0
			}
			d.YErrors[j].Low, d.YErrors[j].High = se, se
			xmin, xmax = min(xmin, r.NFEMean), max(xmax, r.NFEMean)
		}
		c := plotutil.Color(i)
		sc, err := plotter.NewScatter(d.XYs)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: plotutil.Shape(i)}
		eb, err := plotter.NewYErrorBars(d)
		if err != nil {
			return err
		}
		eb.LineStyle.Color = c
		eb.CapWidth = vg.Points(3)
		l, err := plotter.NewLine(d.XYs)
		if err != nil {
			return err
		}
		l.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1)}
		p.Add(l, eb, sc)
		p.Legend.Add(key, l, sc)
	}
	p.X.Min, p.X.Max = xmin/1.3, xmax*1.3
	// Room above the data for the legend (top right): about 0.32 cm per
	// entry in a plot whose data area is the height less about 2.5 cm.
	entries := len(order) + 1
	height := max(1.4*panelHeight, 6*vg.Centimeter+vg.Length(entries)*0.45*vg.Centimeter)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, ar := range rows {
		if usable(ar.Row) || (ar.Sampler == "exact" && !math.IsNaN(ar.Dispersion)) {
			se := ar.DispersionSE
			if math.IsNaN(se) || math.IsInf(se, 0) {
				se = 0
			}
			ymin, ymax = min(ymin, ar.Dispersion-se), max(ymax, ar.Dispersion+se)
		}
	}
	if legend, area := float64(entries)*0.32, float64((height-2.5*vg.Centimeter)/vg.Centimeter); ymax > ymin && legend < area {
		p.Y.Min = ymin - 0.05*(ymax-ymin)
		p.Y.Max = ymax + (ymax-ymin)*(legend/(area-legend)+0.05)
	}
	for _, ar := range rows {
		if ar.Sampler != "exact" || math.IsNaN(ar.Dispersion) {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: ar.Dispersion}, {X: p.X.Max, Y: ar.Dispersion}})
		if err != nil {
			return err
		}
		l.LineStyle = draw.LineStyle{Color: color.Gray{Y: 0x60}, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		p.Add(l)
		p.Legend.Add("exact sampler (its sampling noise)", l)
	}
	return p.Save(panelWidth, height, path)
}
